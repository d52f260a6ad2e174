package io.vnetd.it.support;

import java.util.concurrent.TimeUnit;

/** Ending a process the test started, and only that one (by its handle, never by name). */
public final class OwnProcesses {

    private static final long WAIT_SECONDS = 5;

    private OwnProcesses() {
    }

    /** SIGTERM, then SIGKILL if it is still running after a bounded wait. */
    public static void terminate(Process process) {
        try {
            process.destroy();
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
