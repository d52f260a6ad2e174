package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Hands frames to one endpoint port: the checks that depend on the frame or on the moment (its
 * rx-filter as of now, room in its ring) and the counters they move. One per endpoint, shared by
 * every route that reaches it.
 */
final class Delivery {

    private final Port port;
    private final Outbound outbound;
    private final AtomicCounter receivedFrames;
    private final AtomicCounter receivedBytes;
    private final AtomicCounter droppedFilter;
    private final AtomicCounter droppedRingFull;

    Delivery(Port port, Outbound outbound) {
        this.port = port;
        this.outbound = outbound;
        this.receivedFrames = port.counters.get(PortCounter.RECEIVED_FRAMES);
        this.receivedBytes = port.counters.get(PortCounter.RECEIVED_BYTES);
        this.droppedFilter = port.counters.get(PortCounter.DROPPED_FILTER);
        this.droppedRingFull = port.counters.get(PortCounter.DROPPED_RING_FULL);
    }

    void deliver(DirectBuffer frame, int offset, int length) {
        if (!port.filter.accept(frame, offset, length)) {
            droppedFilter.incrementRelease();
        } else if (outbound.deliver(frame, offset, length)) {
            receivedFrames.incrementRelease();
            receivedBytes.getAndAddRelease(length);
        } else {
            droppedRingFull.incrementRelease();
        }
    }
}
