package io.vnetd.dataplane.counters;

import io.vnetd.model.netclient.NetClientCounter.Side;
import io.vnetd.model.netclient.NetClientCounter;
import java.util.Optional;

/**
 * One backend's I/O counters in the data plane's {@link CounterStore}: its net client's
 * {@link NetClientCounter}s counted {@linkplain Side#BACKEND at the backend}, and its own
 * {@link BackendCounter}s. Frames a backend hands to the switch are its port's frames sent, frames the
 * switch delivered to it its port's frames received; these count what never got that far (a datagram the
 * inbound ring had no room for, one longer than {@code maxFrameLength} or with another's header, a frame
 * without a connection to send it on or that the socket refused) and connections closed because the peer broke
 * the protocol. Its own count its connections.
 *
 * <p>Allocated when the backend opens, written by the agent serving it, freed by that agent when it stops.
 * Any thread may take a {@link #snapshot}.
 */
public final class BackendCounters {

    private final String name;
    private final CounterGroup counters;

    private BackendCounters(String name, CounterGroup counters) {
        this.name = name;
        this.counters = counters;
    }

    public static BackendCounters allocate(CounterStore store, String name) {
        return new BackendCounters(name, CounterGroup.allocate(store, Side.BACKEND, BackendCounter.values().length));
    }

    /** @throws IllegalArgumentException if backends do not count {@code counter} */
    public Counter get(NetClientCounter counter) {
        return counters.get(counter);
    }

    public Counter get(BackendCounter counter) {
        return counters.own(counter.ordinal());
    }

    /** Reads the counters, or nothing once they were freed. Any thread. */
    public Optional<BackendCountersSnapshot> snapshot() {
        return counters.read().map(values -> new BackendCountersSnapshot(name, values.client(),
                values.own()[BackendCounter.CONNECTIONS.ordinal()]));
    }

    /** Frees the counters; nothing if they were freed already. */
    public void close() {
        counters.close();
    }
}
