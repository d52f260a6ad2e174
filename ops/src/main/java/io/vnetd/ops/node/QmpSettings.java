package io.vnetd.ops.node;

import com.typesafe.config.Config;
import io.vnetd.qmp.server.QmpServer;
import java.util.List;

/**
 * The {@code vnetd.qmp} block of the configuration (documented, with its defaults, in the daemon's
 * {@code reference.conf}), as the QMP server's context. Its {@code endpoints} are not here: the node
 * resolves them against the data directory.
 */
final class QmpSettings {

    static final String PATH = "vnetd.qmp";

    /** Every key of the block but {@code endpoints}, in the order read. */
    static final List<Setting<QmpServer.Context>> SETTINGS = List.of(
            new Setting<>("qemu-version", "qemuVersion", (ctx, c, k) -> qemuVersion(ctx, c.getString(k))),
            new Setting<>("io-threads", "ioThreads", (ctx, c, k) -> ctx.ioThreads(c.getInt(k))),
            new Setting<>("max-connections", "maxConnections", (ctx, c, k) -> ctx.maxConnections(c.getInt(k))),
            new Setting<>("max-input-bytes", "maxInputBytes",
                    (ctx, c, k) -> ctx.maxInputBytes(c.getBytes(k).intValue())),
            new Setting<>("max-input-tokens", "maxInputTokens", (ctx, c, k) -> ctx.maxInputTokens(c.getInt(k))),
            new Setting<>("max-input-nesting", "maxInputNesting", (ctx, c, k) -> ctx.maxInputNesting(c.getInt(k))),
            new Setting<>("max-pending-requests", "maxPendingRequests",
                    (ctx, c, k) -> ctx.maxPendingRequests(c.getInt(k))),
            new Setting<>("max-output-queue-bytes", "maxOutputQueueBytes",
                    (ctx, c, k) -> ctx.maxOutputQueueBytes(c.getBytes(k).intValue())));

    private QmpSettings() {
    }

    /** The context {@code config} describes, without endpoints, network service or schema yet. */
    static QmpServer.Context context(Config config) {
        return Setting.readAll(SETTINGS, config, PATH, new QmpServer.Context());
    }

    private static void qemuVersion(QmpServer.Context ctx, String version) {
        String[] api = version.split("\\.");
        if (api.length != 3) {
            throw new StartupException(PATH + ".qemu-version must be MAJOR.MINOR.MICRO, not '" + version + "'");
        }
        ctx.qemuVersion(Integer.parseInt(api[0]), Integer.parseInt(api[1]), Integer.parseInt(api[2]));
    }
}
