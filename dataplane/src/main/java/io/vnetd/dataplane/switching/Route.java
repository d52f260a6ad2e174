package io.vnetd.dataplane.switching;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What becomes of every frame one endpoint sends, compiled from the model: the counters each frame
 * moves along its way (the sender's, those of the hubports it crosses, those of the ports where a
 * link, a missing peer or a loop drops a copy) and the endpoints it is delivered to.
 */
final class Route {

    final int tag;
    private final AtomicCounter[] perFrame;
    private final AtomicCounter[] perByte;
    private final Delivery[] deliveries;

    Route(int tag, AtomicCounter[] perFrame, AtomicCounter[] perByte, Delivery[] deliveries) {
        this.tag = tag;
        this.perFrame = perFrame;
        this.perByte = perByte;
        this.deliveries = deliveries;
    }

    void forward(DirectBuffer frame, int offset, int length) {
        for (AtomicCounter counter : perFrame) {
            counter.incrementRelease();
        }
        for (AtomicCounter counter : perByte) {
            counter.getAndAddRelease(length);
        }
        for (Delivery delivery : deliveries) {
            delivery.deliver(frame, offset, length);
        }
    }
}
