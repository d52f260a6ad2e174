package io.vnetd.dataplane.switching;

import java.util.Comparator;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.agrona.DirectBuffer;

/**
 * One hub as the switch models it, its ports in three sets by where a frame crossing the hub goes from each: on to
 * another hub (ports peered with a hubport: compiled into the routes through the hub, and the edges a walk for stale
 * routes follows), to an endpoint ({@link HubDeliveries}), or nowhere ({@link PeerlessPorts}). The last two are shared
 * by every route through the hub and read as frames pass.
 */
final class Hub implements PendingCounts.Holder {

    /** QEMU inserts a hub's ports at its head, so a frame leaves by the newest port first. */
    private static final Comparator<Port> NEWEST_FIRST = Comparator.comparingLong((Port port) -> port.opened).reversed();

    final NavigableSet<Port> toHubs = new TreeSet<>(NEWEST_FIRST);
    final HubDeliveries deliveries = new HubDeliveries();
    final PeerlessPorts peerless = new PeerlessPorts();
    int ports;
    /** The last walk for stale routes that reached this hub. */
    int walk;
    private final PendingCounts pending;
    /** Frames, and their bytes, that crossed the hub while every link was up, since the counters were published. */
    private long crossedFrames;
    private long crossedBytes;

    Hub(PendingCounts pending) {
        this.pending = pending;
    }

    /** Whether a link is down among the ports peered with an endpoint or with nothing, or their endpoints. */
    boolean anyLinkDown() {
        return peerless.anyLinkDown() || deliveries.anyLinkDown();
    }

    /**
     * A frame of {@code length} bytes crossed the hub while no link was down: counted at its peerless ports and its
     * deliveries' hubports at the end of the duty cycle ({@link HubDeliveries#entered} takes out those that came in
     * by one of the latter).
     */
    void crossed(int length) {
        if (crossedFrames++ == 0) {
            pending.add(this);
        }
        crossedBytes += length;
    }

    /** A frame that came in by {@code entry} leaves while some link is down: every port's steps, counted at once. */
    void walk(Port entry, DirectBuffer frame, int offset, int length) {
        peerless.walk(length);
        deliveries.walk(entry, frame, offset, length);
    }

    @Override
    public void publish() {
        peerless.publish(crossedFrames, crossedBytes);
        deliveries.publish(crossedFrames, crossedBytes);
        crossedFrames = 0;
        crossedBytes = 0;
    }

    /** Puts {@code hubport}, one of this hub's, in the set its peer calls for. */
    void place(Port hubport) {
        switch (hubport.peer) {
            case null -> peerless.add(hubport);
            case Port peer when peer.kind instanceof Port.Kind.Endpoint -> deliveries.add(hubport);
            default -> toHubs.add(hubport);
        }
    }

    /** Takes {@code hubport}, one of this hub's, out of the set its peer (not changed since {@link #place}) put it in. */
    void displace(Port hubport) {
        switch (hubport.peer) {
            case null -> peerless.remove(hubport);
            case Port peer when peer.kind instanceof Port.Kind.Endpoint -> deliveries.remove(hubport);
            default -> toHubs.remove(hubport);
        }
    }
}
