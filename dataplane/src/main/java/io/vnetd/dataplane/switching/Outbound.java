package io.vnetd.dataplane.switching;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The switch's way to one endpoint: the endpoint's ring of delivered frames and, while the endpoint's
 * I/O runs on the switching agent's thread and asks for it, a {@link Receiver} that takes each frame
 * at once (a stream connection copying it behind its length into its write buffer), which saves the
 * ring's write, read and copy. A frame the receiver leaves, and any frame while the ring still holds
 * some, goes on the ring, so frames keep their order.
 */
public final class Outbound {

    /** Takes a frame delivered to the endpoint, on the switching agent's thread; the buffer is only valid during the call. */
    @FunctionalInterface
    public interface Receiver {
        /** @return false to leave the frame to the ring */
        boolean take(DirectBuffer frame, int offset, int length);
    }

    /** Message type id of frames on an outbound ring. */
    private static final int FRAME_TYPE_ID = 1;

    private final OneToOneRingBuffer ring;
    private final boolean onSwitchThread;
    /** Run after a duty cycle that delivered frames, so that the endpoint's reader looks at them; null: none. */
    private volatile Runnable deliveredSignal;
    /** Switching agent's thread only. */
    private Receiver receiver;

    /** @param onSwitchThread whether the endpoint's I/O runs on the switching agent's thread, so that a receiver may serve it */
    public Outbound(OneToOneRingBuffer ring, boolean onSwitchThread) {
        this.ring = ring;
        this.onSwitchThread = onSwitchThread;
    }

    public OneToOneRingBuffer ring() {
        return ring;
    }

    /**
     * Has {@code receiver} take delivered frames from now on (null: none), if the endpoint's I/O runs
     * on the switching agent's thread; otherwise nothing changes. That thread only.
     */
    public void receiveDirectly(Receiver receiver) {
        if (onSwitchThread) {
            this.receiver = receiver;
        }
    }

    /**
     * Has {@code signal} run on the switching agent's thread once in each duty cycle that delivered frames to the
     * endpoint (null: none), so that its reader can leave it alone otherwise. Any thread.
     */
    public void signalDeliveries(Runnable signal) {
        this.deliveredSignal = signal;
    }

    /** Frames were delivered in this duty cycle: tells the endpoint's reader. */
    void delivered() {
        Runnable signal = deliveredSignal;
        if (signal != null) {
            signal.run();
        }
    }

    /** @return false when the ring is full */
    boolean deliver(DirectBuffer frame, int offset, int length) {
        Receiver taker = receiver;
        if (taker != null && ring.size() == 0 && taker.take(frame, offset, length)) {
            return true;
        }
        return ring.write(FRAME_TYPE_ID, frame, offset, length);
    }
}
