package io.vnetd.dataplane.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * vhost-user and vhost-vdpa, which vnetd refuses with QEMU's first answer: the chardev, then the
 * queues (vhost-user); the device or descriptor, with QEMU's prefix for a descriptor (vhost-vdpa).
 */
class VhostBackendTest {

    private static String refusal(NetdevConfig config) {
        try (BackendHarness h = new BackendHarness()) {
            String desc = assertThrows(NetException.class, () -> h.open(config)).desc();
            assertTrue(h.dp.backendCounters().isEmpty(), "nothing stays open after a refusal");
            return desc;
        }
    }

    private static NetdevConfig.VhostVdpa vdpa(String vhostdev, String vhostfd, Long queues, Boolean shadowVirtqueues) {
        return new NetdevConfig.VhostVdpa("v0", Optional.ofNullable(vhostdev), Optional.ofNullable(vhostfd),
                Optional.ofNullable(queues), Optional.ofNullable(shadowVirtqueues));
    }

    @Test
    void vhostUserLooksForTheChardevBeforeItCountsQueues() {
        assertEquals("chardev \"nochr\" not found",
                refusal(new NetdevConfig.VhostUser("u0", "nochr", Optional.empty(), Optional.of(0L))));
        assertEquals("chardev \"nochr\" not found",
                refusal(new NetdevConfig.VhostUser("u1", "nochr", Optional.of(true), Optional.of(2147483647L))));
    }

    @Test
    void vhostVdpaOpensItsDeviceBeforeItLooksAtQueuesOrShadowVirtqueues() {
        assertEquals("Could not open '/nonexistent/vdpa': No such file or directory",
                refusal(vdpa("/nonexistent/vdpa", null, 0L, true)));
    }

    @Test
    void anUnusableVhostfdCarriesQemusPrefix() {
        assertEquals("vhost-vdpa: unable to parse vhostfd: File descriptor named 'nosuchfd' has not been found",
                refusal(vdpa(null, "nosuchfd", null, null)));
        assertTrue(refusal(vdpa(null, "42", null, null))
                .startsWith("vhost-vdpa: unable to parse vhostfd: file descriptor 42 is not available to vnetd"));
    }
}
