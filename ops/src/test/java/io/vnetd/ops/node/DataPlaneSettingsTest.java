package io.vnetd.ops.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.ThreadingMode;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code vnetd.dataplane}: documented defaults equal the context's, values reach it, bad ones name their key. */
class DataPlaneSettingsTest {

    private static Config config(String dataplane) {
        return ConfigFactory.parseString("vnetd.dataplane {" + dataplane + "}")
                .withFallback(ConfigFactory.defaultReference()).resolve();
    }

    private static String refusal(String dataplane) {
        StartupException e = assertThrows(StartupException.class,
                () -> DataPlaneSettings.create(config(dataplane), event -> { }).close());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void referenceConfHoldsEveryDefaultOfTheContext() {
        ReferenceDefaults.assertReferenceHoldsTheDefaults(DataPlaneSettings.PATH, DataPlaneSettings.SETTINGS,
                DataPlane.Context.class, DataPlane.Context::new, Set.of(), Set.of("eventPublisher", "errorHandler"));
    }

    @Test
    void everyKeyReachesTheDataPlane() {
        try (DataPlane dp = DataPlaneSettings.create(config("""
                threading-mode = dedicated
                io-agent-count = 3
                io-batch-length = 128
                io-buffer-length = 1 MiB
                datagram-receive-buffer-length = 0
                stream-coalesce-time = 0
                max-ports = 64
                """), event -> { })) {
            DataPlane.Context ctx = dp.context();
            assertEquals(ThreadingMode.DEDICATED, ctx.threadingMode());
            assertEquals(3, ctx.ioAgentCount());
            assertEquals(3, dp.ioAgents().size());
            assertEquals(128, ctx.ioBatchLength());
            assertEquals(1024 * 1024, ctx.ioBufferLength());
            assertEquals(0, ctx.datagramReceiveBufferLength());
            assertEquals(0, ctx.streamCoalesceNs());
            assertEquals(64, ctx.maxPorts());
        }
    }

    @Test
    void aBadValueIsOneLineNamingItsKey() {
        assertEquals("vnetd.dataplane.threading-mode must be shared or dedicated, not 'both'",
                refusal("threading-mode = both"));
        assertEquals("vnetd.dataplane.threading-mode shared runs one I/O agent, got vnetd.dataplane.io-agent-count 2:"
                + " use dedicated for more", refusal("io-agent-count = 2"));
        assertEquals("vnetd.dataplane.io-agent-count must be at least 1, got 0",
                refusal("threading-mode = dedicated, io-agent-count = 0"));
        assertEquals("vnetd.dataplane.io-batch-length must be within 1..1024, got 1025", refusal("io-batch-length = 1025"));
        assertEquals("vnetd.dataplane.io-buffer-length 1024 cannot hold a frame of vnetd.dataplane.max-frame-length 69632"
                + " and its 4-byte length: make it at least 69636", refusal("io-buffer-length = 1 KiB"));
        assertEquals("vnetd.dataplane.datagram-receive-buffer-length must be at most 2147483647 bytes, got 4294967296",
                refusal("datagram-receive-buffer-length = 4 GiB"));
        assertEquals("vnetd.dataplane.stream-coalesce-time must not be negative, got -1000",
                refusal("stream-coalesce-time = -1us"));
        assertTrue(refusal("io-batch-length = many").contains("vnetd.dataplane.io-batch-length"));
        assertTrue(refusal("datagram-receive-buffer-length = -1").contains("vnetd.dataplane.datagram-receive-buffer-length"));
    }
}
