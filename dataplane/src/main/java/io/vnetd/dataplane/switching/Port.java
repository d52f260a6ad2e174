package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.PortCounters;
import io.vnetd.dataplane.filter.FrameFilter;

/** A port as the switching agent models it. Mutable, and touched by the switching agent only. */
final class Port {

    /** What the port is attached to: a hub, or an endpoint's I/O through its outbound ring. */
    sealed interface Kind {
        record Hubport(int hubId) implements Kind {
        }

        record Endpoint(Outbound outbound) implements Kind {
        }
    }

    final String name;
    final int tag;
    final Kind kind;
    /** When the model opened the port, in the order of opening: a hub's order of ports. */
    final long opened;
    final PortCounters counters;
    /** Read by every route through the port as each frame passes, so a link change compiles nothing. */
    boolean linkUp = true;
    /** Read by the port's {@link Delivery} for each frame, so a filter change compiles nothing. */
    FrameFilter filter = FrameFilter.ACCEPT_ALL;
    /** The open port this one is peered with, or null. */
    Port peer;
    /** An endpoint's delivery, shared by every route that reaches it; null for a hubport. */
    final Delivery delivery;
    /**
     * A hubport's place in its hub's {@link PeerlessPorts} while it has no peer, or in its {@link HubDeliveries} while
     * its peer is an endpoint; -1 otherwise.
     */
    int exitIndex = -1;
    /** An endpoint whose route must be compiled again before the next frame is forwarded. */
    boolean routeStale;

    Port(String name, int tag, Kind kind, long opened, PortCounters counters, PendingCounts pending) {
        this.name = name;
        this.tag = tag;
        this.kind = kind;
        this.opened = opened;
        this.counters = counters;
        this.delivery = kind instanceof Kind.Endpoint(Outbound outbound) ? new Delivery(this, outbound, pending) : null;
    }
}
