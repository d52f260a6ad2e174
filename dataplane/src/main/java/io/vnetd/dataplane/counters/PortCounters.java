package io.vnetd.dataplane.counters;

import java.util.Optional;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * One port's counters in the data plane's counters buffer. Only the switching agent allocates,
 * writes and frees them; any thread may take a {@link #snapshot}. Every counter of a port carries the
 * port's registration id, so a reader racing a close cannot mistake a reused counter for this port's.
 */
public final class PortCounters {

    private static final PortCounter[] KINDS = PortCounter.values();

    private final CounterGroup counters;

    private PortCounters(CounterGroup counters) {
        this.counters = counters;
    }

    /**
     * Allocates the counters of port {@code name}; their key holds {@code slot}.
     *
     * @throws IllegalStateException when the buffer has no room (nothing stays allocated then)
     */
    public static PortCounters allocate(CountersManager manager, String name, int slot, long registrationId) {
        return new PortCounters(CounterGroup.allocate(manager, registrationId, KINDS.length,
                i -> "vnetd port " + name + ": " + KINDS[i].description(), i -> KINDS[i].typeId(),
                key -> key.putInt(0, slot)));
    }

    public AtomicCounter get(PortCounter kind) {
        return counters.get(kind.ordinal());
    }

    /** Reads the counters, or nothing if the port was closed meanwhile. Any thread. */
    public Optional<PortCountersSnapshot> snapshot(String name, CountersReader reader) {
        long[] v = new long[KINDS.length];
        if (!counters.read(v, reader)) {
            return Optional.empty();
        }
        return Optional.of(new PortCountersSnapshot(name,
                v[PortCounter.SENT_FRAMES.ordinal()],
                v[PortCounter.SENT_BYTES.ordinal()],
                v[PortCounter.RECEIVED_FRAMES.ordinal()],
                v[PortCounter.RECEIVED_BYTES.ordinal()],
                v[PortCounter.DROPPED_LINK_DOWN.ordinal()],
                v[PortCounter.DROPPED_FILTER.ordinal()],
                v[PortCounter.DROPPED_RING_FULL.ordinal()],
                v[PortCounter.DROPPED_PEER_ABSENT.ordinal()],
                v[PortCounter.DROPPED_LOOP.ordinal()]));
    }

    /** Frees the counters. Switching agent only. */
    public void close() {
        counters.close();
    }
}
