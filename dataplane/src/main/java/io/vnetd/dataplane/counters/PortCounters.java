package io.vnetd.dataplane.counters;

import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounter.Side;
import io.vnetd.model.netclient.NetClientCounters;
import java.util.List;
import java.util.Optional;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * One port's counters in the data plane's counters buffer: those of its net client's
 * {@link NetClientCounter}s counted {@linkplain Side#PORT at the port}. A frame is dropped at the port
 * where QEMU's net core would drop it: at the sender for its own link down or a missing peer, at the
 * receiver for its link down, its rx-filter or its full ring, at a hubport when forwarding it would form
 * a loop. An endpoint sends every frame its backend handed over; a frame is delivered to it once written
 * to its outbound ring, or taken at once by a stream connection served on the switching agent's thread.
 *
 * <p>Only the switching agent allocates, writes and frees them; any thread may take a {@link #snapshot}.
 * Every counter of a port carries the port's registration id, so a reader racing a close cannot mistake a
 * reused counter for this port's.
 */
public final class PortCounters {

    /** How many counters a port takes in the buffer. */
    public static final int LENGTH = CounterGroup.length(Side.PORT, 0);

    private final CounterGroup counters;

    private PortCounters(CounterGroup counters) {
        this.counters = counters;
    }

    /**
     * Allocates the counters of port {@code name}.
     *
     * @throws IllegalStateException when the buffer has no room (nothing stays allocated then)
     */
    public static PortCounters allocate(CountersManager manager, String name, long registrationId) {
        return new PortCounters(CounterGroup.allocate(manager, registrationId, Side.PORT, "vnetd port " + name,
                List.of()));
    }

    /** @throws IllegalArgumentException if ports do not count {@code counter} */
    public AtomicCounter get(NetClientCounter counter) {
        return counters.get(counter);
    }

    /**
     * Reads the counters (those only backends count are 0), or nothing if the port was closed meanwhile.
     * Any thread.
     */
    public Optional<NetClientCounters> snapshot(CountersReader reader) {
        return counters.read(reader).map(CounterGroup.Reading::client);
    }

    /** Frees the counters. Switching agent only. */
    public void close() {
        counters.close();
    }
}
