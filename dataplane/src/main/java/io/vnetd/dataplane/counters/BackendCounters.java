package io.vnetd.dataplane.counters;

import java.util.Optional;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * One backend's I/O counters in the data plane's counters buffer: allocated when the backend opens,
 * written by the agent serving it, freed by that agent when it stops. Any thread may take a
 * {@link #snapshot}; the registration id keeps a reader from mistaking a reused counter for these.
 */
public final class BackendCounters {

    private static final BackendCounter[] KINDS = BackendCounter.values();

    private final String name;
    private final CounterGroup counters;

    private BackendCounters(String name, CounterGroup counters) {
        this.name = name;
        this.counters = counters;
    }

    /**
     * Allocates the counters of backend {@code name} in {@code manager}, which must be safe for
     * concurrent allocation.
     *
     * @throws IllegalStateException when the buffer has no room (nothing stays allocated then)
     */
    public static BackendCounters allocate(CountersManager manager, String name, long registrationId) {
        return new BackendCounters(name, CounterGroup.allocate(manager, registrationId, KINDS.length,
                i -> "vnetd backend " + name + ": " + KINDS[i].description(), i -> KINDS[i].typeId(), key -> {
                }));
    }

    public AtomicCounter get(BackendCounter kind) {
        return counters.get(kind.ordinal());
    }

    /** Reads the counters, or nothing once they were freed. Any thread. */
    public Optional<BackendCountersSnapshot> snapshot(CountersReader reader) {
        long[] v = new long[KINDS.length];
        if (!counters.read(v, reader)) {
            return Optional.empty();
        }
        return Optional.of(new BackendCountersSnapshot(name,
                v[BackendCounter.RX_DROPPED_RING_FULL.ordinal()],
                v[BackendCounter.RX_DROPPED_TOO_LONG.ordinal()],
                v[BackendCounter.TX_DROPPED_NOT_CONNECTED.ordinal()],
                v[BackendCounter.TX_DROPPED_SEND_ERROR.ordinal()],
                v[BackendCounter.CONNECTIONS.ordinal()],
                v[BackendCounter.STREAM_ERRORS.ordinal()],
                v[BackendCounter.RX_DROPPED_BAD_HEADER.ordinal()]));
    }

    /** Frees the counters; nothing if they were freed already. */
    public void close() {
        counters.close();
    }
}
