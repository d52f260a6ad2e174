package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.PortCounters;
import io.vnetd.dataplane.filter.RxFilter;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/** A port as the switching agent models it. Mutable, and touched by the switching agent only. */
final class Port {

    /** What the port is attached to: a hub, or an endpoint's I/O through its outbound ring. */
    sealed interface Kind {
        record Hubport(int hubId) implements Kind {
        }

        record Endpoint(OneToOneRingBuffer outbound) implements Kind {
        }
    }

    final String name;
    final int tag;
    final Kind kind;
    final PortCounters counters;
    boolean linkUp = true;
    RxFilter filter = RxFilter.ACCEPT_ALL;

    Port(String name, int tag, Kind kind, PortCounters counters) {
        this.name = name;
        this.tag = tag;
        this.kind = kind;
        this.counters = counters;
    }
}
