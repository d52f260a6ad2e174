package io.vnetd.ops.node;

import com.typesafe.config.Config;
import io.vnetd.qmp.server.QmpServer;

/** The {@code vnetd.qmp} block of the configuration, as the QMP server's context. */
final class QmpSettings {

    private QmpSettings() {
    }

    static QmpServer.Context context(Config qmp) {
        String[] api = qmp.getString("qemu-version").split("\\.");
        if (api.length != 3) {
            throw new StartupException("vnetd.qmp.qemu-version must be MAJOR.MINOR.MICRO, not '" + qmp.getString("qemu-version") + "'");
        }
        return new QmpServer.Context()
                .ioThreads(qmp.getInt("io-threads"))
                .maxConnections(qmp.getInt("max-connections"))
                .maxInputBytes(qmp.getBytes("max-input-bytes").intValue())
                .maxInputTokens(qmp.getInt("max-input-tokens"))
                .maxInputNesting(qmp.getInt("max-input-nesting"))
                .maxPendingRequests(qmp.getInt("max-pending-requests"))
                .maxOutputQueueBytes(qmp.getBytes("max-output-queue-bytes").intValue())
                .qemuVersion(Integer.parseInt(api[0]), Integer.parseInt(api[1]), Integer.parseInt(api[2]));
    }
}
