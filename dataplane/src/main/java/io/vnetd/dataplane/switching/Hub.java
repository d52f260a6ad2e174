package io.vnetd.dataplane.switching;

import java.util.Comparator;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * One hub as the switch models it. Its peered ports are the only ways out of it, so they are what a
 * route compiles and what a walk for stale routes follows; its peerless ports only count the frames
 * that cross it, and are shared by every route through it ({@link PeerlessPorts}).
 */
final class Hub {

    /** QEMU inserts a hub's ports at its head, so a frame leaves by the newest port first. */
    private static final Comparator<Port> NEWEST_FIRST = Comparator.comparingLong((Port port) -> port.opened).reversed();

    final NavigableSet<Port> peered = new TreeSet<>(NEWEST_FIRST);
    final PeerlessPorts peerless;
    int ports;
    /** The last walk for stale routes that reached this hub. */
    int walk;

    Hub(PendingCounts pending) {
        this.peerless = new PeerlessPorts(pending);
    }
}
