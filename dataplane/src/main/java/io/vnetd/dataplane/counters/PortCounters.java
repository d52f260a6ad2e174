package io.vnetd.dataplane.counters;

import io.vnetd.model.netclient.NetClientCounter.Side;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounters;
import java.util.Optional;

/**
 * One port's counters in the data plane's {@link CounterStore}: those of its net client's
 * {@link NetClientCounter}s counted {@linkplain Side#PORT at the port}. A frame is dropped at the port
 * where QEMU's net core would drop it: at the sender for its own link down or a missing peer, at the
 * receiver for its link down, its rx-filter or its full ring, at a hubport when forwarding it would form
 * a loop. An endpoint sends every frame its backend handed over; a frame is delivered to it once written
 * to its outbound ring, or taken at once by a stream connection served on the switching agent's thread.
 *
 * <p>Only the switching agent allocates, writes and frees them; any thread may take a {@link #snapshot}.
 */
public final class PortCounters {

    private final CounterGroup counters;

    private PortCounters(CounterGroup counters) {
        this.counters = counters;
    }

    public static PortCounters allocate(CounterStore store) {
        return new PortCounters(CounterGroup.allocate(store, Side.PORT, 0));
    }

    /** @throws IllegalArgumentException if ports do not count {@code counter} */
    public Counter get(NetClientCounter counter) {
        return counters.get(counter);
    }

    /**
     * Reads the counters (those only backends count are 0), or nothing if the port was closed meanwhile.
     * Any thread.
     */
    public Optional<NetClientCounters> snapshot() {
        return counters.read().map(CounterGroup.Reading::client);
    }

    /** Frees the counters. Switching agent only. */
    public void close() {
        counters.close();
    }
}
