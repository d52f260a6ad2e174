package io.vnetd.ops.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.vnetd.qmp.command.VersionInfo;
import io.vnetd.qmp.server.QmpServer;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code vnetd.qmp}: documented defaults equal the QMP server's, values reach its context. */
class QmpSettingsTest {

    @Test
    void referenceConfHoldsEveryDefaultOfTheContext() {
        ReferenceDefaults.assertReferenceHoldsTheDefaults(QmpSettings.PATH, QmpSettings.SETTINGS,
                QmpServer.Context.class, QmpServer.Context::new, Set.of("endpoints"),
                Set.of("commandOutcomes", "endpoints", "networkService", "schema", "schemaConditions", "vnetdVersion"));
    }

    @Test
    void valuesReachTheContext() {
        QmpServer.Context ctx = QmpSettings.context(ConfigFactory.parseString("""
                vnetd.qmp { io-threads = 2, max-input-bytes = 2 MiB, qemu-version = "7.2.0" }
                """).withFallback(ConfigFactory.defaultReference()).resolve());
        assertEquals(2, ctx.ioThreads());
        assertEquals(2 << 20, ctx.maxInputBytes());
        assertEquals(new VersionInfo.VersionTriple(7, 2, 0), ctx.qemuVersion());
        assertEquals("vnetd.qmp.qemu-version must be MAJOR.MINOR.MICRO, not '7.2'",
                assertThrows(StartupException.class, () -> QmpSettings.context(ConfigFactory.parseString(
                        "vnetd.qmp.qemu-version = \"7.2\"").withFallback(ConfigFactory.defaultReference()).resolve()))
                        .getMessage());
    }
}
