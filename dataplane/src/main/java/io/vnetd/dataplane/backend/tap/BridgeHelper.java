package io.vnetd.dataplane.backend.tap;

import io.vnetd.dataplane.backend.io.ScmRights;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.Spawn;
import io.vnetd.dataplane.backend.io.Tun;
import io.vnetd.model.error.NetException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a bridge helper as QEMU's {@code net_bridge_run_helper} does: {@code HELPER --use-vnet
 * --fd=N --br=BRIDGE}, or, when the helper contains a space or a tab, {@code /bin/sh -c "HELPER
 * --use-vnet --fd=N --br=BRIDGE"} ({@code --br=} left out if the command has one); {@code N} is one
 * end of a socket pair over which the helper sends the tap descriptor it opened ({@code SCM_RIGHTS}).
 * Any failure (the helper missing, refusing, sending nothing, exiting with a status other than 0) is
 * QEMU's {@code bridge helper failed}; why is logged.
 */
final class BridgeHelper {

    /** Where Debian's QEMU installs its helper; QEMU's {@code DEFAULT_BRIDGE_HELPER} there. */
    static final String DEFAULT_HELPER = "/usr/lib/qemu/qemu-bridge-helper";

    private static final Logger LOG = LoggerFactory.getLogger(BridgeHelper.class);

    private BridgeHelper() {
    }

    /** Runs {@code helper} for {@code bridge}; returns the tap descriptor it passed, close-on-exec. */
    static int run(String helper, String bridge) {
        // QEMU formats "--br=" and the bridge into 6 + IFNAMSIZ bytes.
        String bridgeArg = "--br=" + (bridge.length() > Tun.IFNAMSIZ ? bridge.substring(0, Tun.IFNAMSIZ) : bridge);
        String fdArg = "--fd=" + Spawn.PASSED_FD;
        int[] pair = ScmRights.socketPair();
        int fd = -1;
        int status;
        try {
            int pid;
            if (helper.indexOf(' ') >= 0 || helper.indexOf('\t') >= 0) {
                String command = helper + " --use-vnet " + fdArg + " " + (helper.contains("--br=") ? "" : bridgeArg);
                pid = Spawn.start("/bin/sh", List.of("sh", "-c", command), pair[1]);
            } else {
                pid = Spawn.start(helper, List.of(helper, "--use-vnet", fdArg, bridgeArg), pair[1]);
            }
            // Only the helper holds the other end now: its exit ends the wait for a descriptor.
            Sockets.close(pair[1]);
            pair[1] = -1;
            if (pid != 0) {
                fd = ScmRights.receive(pair[0]);
            }
            status = Spawn.waitFor(pid);
        } finally {
            Sockets.close(pair[0]);
            Sockets.close(pair[1]);
        }
        if (fd < 0 || status != 0) {
            Sockets.close(fd);
            LOG.warn("bridge helper {} for bridge {}: {}", helper, bridge, fd < 0
                    ? "no tap descriptor received (wait status " + status + ")"
                    : "wait status " + status);
            throw NetException.generic("bridge helper failed");
        }
        return fd;
    }
}
