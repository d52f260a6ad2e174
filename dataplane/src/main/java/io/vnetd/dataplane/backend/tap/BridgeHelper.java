package io.vnetd.dataplane.backend.tap;

import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.ScmRights;
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
        try (OwnedFd ours = new OwnedFd(pair[0]); OwnedFd helpers = new OwnedFd(pair[1])) {
            int pid;
            if (helper.indexOf(' ') >= 0 || helper.indexOf('\t') >= 0) {
                String command = helper + " --use-vnet " + fdArg + " " + (helper.contains("--br=") ? "" : bridgeArg);
                pid = Spawn.start("/bin/sh", List.of("sh", "-c", command), helpers.fd());
            } else {
                pid = Spawn.start(helper, List.of(helper, "--use-vnet", fdArg, bridgeArg), helpers.fd());
            }
            // Only the helper holds the other end now: its exit ends the wait for a descriptor.
            helpers.close();
            try (OwnedFd tap = new OwnedFd(pid != 0 ? ScmRights.receive(ours.fd()) : -1)) {
                int status = Spawn.waitFor(pid);
                if (tap.fd() < 0 || status != 0) {
                    LOG.warn("bridge helper {} for bridge {}: {}", helper, bridge, tap.fd() < 0
                            ? "no tap descriptor received (wait status " + status + ")"
                            : "wait status " + status);
                    throw NetException.generic("bridge helper failed");
                }
                return tap.release();
            }
        }
    }
}
