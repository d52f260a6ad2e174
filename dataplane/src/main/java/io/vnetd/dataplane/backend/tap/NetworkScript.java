package io.vnetd.dataplane.backend.tap;

import io.vnetd.dataplane.backend.io.Spawn;
import io.vnetd.model.error.NetException;
import java.util.List;

/**
 * QEMU's network scripts ({@code launch_script} in {@code net/tap.c}): {@code script} runs when a tap
 * interface has been made, {@code downscript} before it goes, each with the interface's name as its
 * only argument; {@code no} (or an empty name) runs nothing. The caller waits for the script, as
 * QEMU does.
 */
final class NetworkScript {

    /** The value that turns a script off. */
    static final String NONE = "no";

    private NetworkScript() {
    }

    static boolean enabled(String script) {
        return !script.isEmpty() && !script.equals(NONE);
    }

    /**
     * Runs {@code script ifname} to its end.
     *
     * @throws NetException {@code network script S failed with status N}, N the raw wait status as
     *                      QEMU prints it (256 for exit status 1, also when the script cannot be run)
     */
    static void run(String script, String ifname) {
        int status = Spawn.run(script, List.of(script, ifname));
        if (status != 0) {
            throw NetException.generic("network script " + script + " failed with status " + status);
        }
    }
}
