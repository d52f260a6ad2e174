package io.vnetd.dataplane.switching;

import java.util.Comparator;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * One hub as the switch models it, its ports in three sets by where a frame crossing the hub goes from each: on to
 * another hub (ports peered with a hubport: compiled into the routes through the hub, and the edges a walk for stale
 * routes follows), to an endpoint ({@link HubDeliveries}), or nowhere ({@link PeerlessPorts}). The last two are shared
 * by every route through the hub and read as frames pass.
 */
final class Hub {

    /** QEMU inserts a hub's ports at its head, so a frame leaves by the newest port first. */
    private static final Comparator<Port> NEWEST_FIRST = Comparator.comparingLong((Port port) -> port.opened).reversed();

    final NavigableSet<Port> toHubs = new TreeSet<>(NEWEST_FIRST);
    final HubDeliveries deliveries;
    final PeerlessPorts peerless;
    int ports;
    /** The last walk for stale routes that reached this hub. */
    int walk;

    Hub(PendingCounts pending) {
        this.deliveries = new HubDeliveries(pending);
        this.peerless = new PeerlessPorts(pending);
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
