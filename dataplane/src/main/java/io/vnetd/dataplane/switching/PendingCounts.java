package io.vnetd.dataplane.switching;

import java.util.Arrays;

/**
 * The frame and byte counts the switching agent has not added to the shared counters yet. The routes,
 * deliveries and hubs that most frames pass keep their counts in plain fields and sign up here with their
 * first; the agent adds them all to the counters at the end of each duty cycle (and before any change
 * to the model), so a reader sees every frame of a cycle at once, while traffic flows, for two
 * ordered writes per counter per cycle instead of per frame. Switching agent only.
 */
final class PendingCounts {

    /** Holds counts of its own until {@link #publish}. */
    interface Holder {
        /** Adds what it holds to its counters and starts again from zero. */
        void publish();
    }

    /** At most one per route, per delivery and per hub; grows with the ports that carry frames. */
    private Holder[] holders = new Holder[64];
    private int count;

    /** {@code holder} holds counts now; once until the next {@link #publish}. */
    void add(Holder holder) {
        if (count == holders.length) {
            holders = Arrays.copyOf(holders, count * 2);
        }
        holders[count++] = holder;
    }

    void publish() {
        for (int i = 0; i < count; i++) {
            holders[i].publish();
            holders[i] = null;
        }
        count = 0;
    }
}
