package io.vnetd.dataplane.counters;

import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounter.Side;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * One backend's I/O counters in the data plane's counters buffer: its net client's
 * {@link NetClientCounter}s counted {@linkplain Side#BACKEND at the backend}, and its own
 * {@link BackendCounter}s. Frames a backend hands to the switch are its port's frames sent, frames the
 * switch delivered to it its port's frames received; these count what never got that far (a datagram the
 * inbound ring had no room for, one longer than {@code maxFrameLength} or with another's header, a frame
 * without a connection to send it on or that the socket refused) and connections.
 *
 * <p>Allocated when the backend opens, written by the agent serving it, freed by that agent when it stops.
 * Any thread may take a {@link #snapshot}; the registration id keeps a reader from mistaking a reused
 * counter for these.
 */
public final class BackendCounters {

    private static final List<String> OWN = Arrays.stream(BackendCounter.values())
            .map(BackendCounter::description).toList();

    /** How many counters a backend takes in the buffer. */
    public static final int LENGTH = CounterGroup.length(Side.BACKEND, OWN.size());

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
        return new BackendCounters(name, CounterGroup.allocate(manager, registrationId, Side.BACKEND,
                "vnetd backend " + name, OWN));
    }

    /** @throws IllegalArgumentException if backends do not count {@code counter} */
    public AtomicCounter get(NetClientCounter counter) {
        return counters.get(counter);
    }

    public AtomicCounter get(BackendCounter counter) {
        return counters.own(counter.ordinal());
    }

    /** Reads the counters, or nothing once they were freed. Any thread. */
    public Optional<BackendCountersSnapshot> snapshot(CountersReader reader) {
        return counters.read(reader).map(values -> new BackendCountersSnapshot(name, values.client(),
                values.own()[BackendCounter.CONNECTIONS.ordinal()],
                values.own()[BackendCounter.STREAM_ERRORS.ordinal()]));
    }

    /** Frees the counters; nothing if they were freed already. */
    public void close() {
        counters.close();
    }
}
