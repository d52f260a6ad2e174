package io.vnetd.journal;

import java.util.Objects;

/**
 * Told of every group of writes the LMDB journal logs (group commit: one write-ahead log append and one flush for
 * the requests queued meanwhile), for metrics. Pekko builds the journal from configuration, so a listener is
 * installed for the whole process rather than handed to it; it is called on the journal's writer thread after each
 * flush and must be quick and must not block.
 */
@FunctionalInterface
public interface WriteGroupListener {

    /** Hears nothing. */
    WriteGroupListener NONE = (requests, events, nanos) -> {
    };

    /**
     * @param requests write requests in the group (a persist of one entity's events is one)
     * @param events   events they append
     * @param nanos    how long the log append and its flush took
     */
    void logged(int requests, int events, long nanos);

    /** Makes {@code listener} the one every LMDB journal of this process tells; {@link #NONE} stops it. */
    static void install(WriteGroupListener listener) {
        Installed.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The listener installed. */
    static WriteGroupListener installed() {
        return Installed.listener;
    }

    /** The process-wide slot. */
    final class Installed {
        private static volatile WriteGroupListener listener = NONE;

        private Installed() {
        }
    }
}
