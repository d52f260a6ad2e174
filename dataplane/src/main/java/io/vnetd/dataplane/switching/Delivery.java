package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.Counter;
import io.vnetd.model.netclient.NetClientCounter;
import org.agrona.DirectBuffer;

/**
 * Hands frames to one endpoint port: the checks that depend on the frame or on the moment (its
 * rx-filter as of now, room in its ring) and the counters they move, frames handed over counted in
 * plain fields until the end of the duty cycle ({@link PendingCounts}). One per endpoint, shared by
 * every route that reaches it.
 */
final class Delivery implements PendingCounts.Holder {

    private final Port port;
    private final Outbound outbound;
    private final Counter receivedFrames;
    private final Counter receivedBytes;
    private final Counter droppedFilter;
    private final Counter droppedRingFull;
    private final PendingCounts pending;
    /** Frames, and their bytes, handed over since the counters were last published. */
    private long pendingFrames;
    private long pendingBytes;

    Delivery(Port port, Outbound outbound, PendingCounts pending) {
        this.pending = pending;
        this.port = port;
        this.outbound = outbound;
        this.receivedFrames = port.counters.get(NetClientCounter.RX_FRAMES);
        this.receivedBytes = port.counters.get(NetClientCounter.RX_BYTES);
        this.droppedFilter = port.counters.get(NetClientCounter.DROPPED_FILTER);
        this.droppedRingFull = port.counters.get(NetClientCounter.DROPPED_RING_FULL);
    }

    void deliver(DirectBuffer frame, int offset, int length) {
        if (!port.filter.accept(frame, offset, length)) {
            droppedFilter.incrementRelease();
        } else if (outbound.deliver(frame, offset, length)) {
            if (pendingFrames++ == 0) {
                pending.add(this);
            }
            pendingBytes += length;
        } else {
            droppedRingFull.incrementRelease();
        }
    }

    @Override
    public void publish() {
        receivedFrames.getAndAddRelease(pendingFrames);
        receivedBytes.getAndAddRelease(pendingBytes);
        pendingFrames = 0;
        pendingBytes = 0;
        outbound.delivered();
    }
}
