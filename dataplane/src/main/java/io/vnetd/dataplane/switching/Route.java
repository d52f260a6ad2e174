package io.vnetd.dataplane.switching;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What becomes of every frame one endpoint sends, compiled from the model as a short program in
 * pre-order of the frame's walk: counters each frame moves (the sender's, those of the hubports it
 * crosses, those where a missing peer or a loop drops a copy), link checks, and the endpoints it is
 * delivered to. A link check reads the port's link state as the frame passes and, when the link is
 * down, counts the drop and skips the part of the walk behind that port; so link changes need no
 * new route.
 */
final class Route {

    /** Moves a frame counter and a byte counter. */
    static final byte COUNT = 0;
    /** Moves a frame counter: a copy dropped for a reason fixed at compilation (no peer, a loop). */
    static final byte DROP = 1;
    /** Goes on if the port's link is up; otherwise counts a link-down drop and jumps. */
    static final byte LINK = 2;
    /** Hands the frame to an endpoint. */
    static final byte DELIVER = 3;

    final int tag;
    private final byte[] ops;
    private final AtomicCounter[] frames;
    private final AtomicCounter[] bytes;
    private final Port[] linkOf;
    private final int[] skipTo;
    private final Delivery[] deliveries;

    Route(int tag, byte[] ops, AtomicCounter[] frames, AtomicCounter[] bytes, Port[] linkOf, int[] skipTo,
          Delivery[] deliveries) {
        this.tag = tag;
        this.ops = ops;
        this.frames = frames;
        this.bytes = bytes;
        this.linkOf = linkOf;
        this.skipTo = skipTo;
        this.deliveries = deliveries;
    }

    void forward(DirectBuffer frame, int offset, int length) {
        int step = 0;
        while (step < ops.length) {
            switch (ops[step]) {
                case COUNT -> {
                    frames[step].incrementRelease();
                    bytes[step].getAndAddRelease(length);
                    step++;
                }
                case DROP -> {
                    frames[step].incrementRelease();
                    step++;
                }
                case LINK -> {
                    if (linkOf[step].linkUp) {
                        step++;
                    } else {
                        frames[step].incrementRelease();
                        step = skipTo[step];
                    }
                }
                default -> {
                    deliveries[step].deliver(frame, offset, length);
                    step++;
                }
            }
        }
    }
}
