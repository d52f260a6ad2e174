package io.vnetd.dataplane.port;

import io.vnetd.dataplane.idle.Doorbell;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * A backend's (or a NIC guest side's) attachment to the switch: frames it {@link #offer}s go into the
 * switch on the shared inbound ring, frames the switch delivers to it wait on its own outbound ring
 * until it {@link #poll}s them. One I/O thread may offer and one may poll (they may be the same);
 * neither call allocates, blocks or takes a lock.
 */
public final class EndpointPort implements AutoCloseable {

    private final String name;
    private final int tag;
    private final ManyToOneRingBuffer inbound;
    private final OneToOneRingBuffer outbound;
    private final int maxFrameLength;
    private final Consumer<EndpointPort> detach;
    private final Doorbell switching;
    private final Receiver receiver = new Receiver();
    private final ControlledReceiver controlledReceiver = new ControlledReceiver();

    EndpointPort(String name, int tag, ManyToOneRingBuffer inbound, OneToOneRingBuffer outbound,
                 int maxFrameLength, Consumer<EndpointPort> detach, Doorbell switching) {
        this.switching = switching;
        this.name = name;
        this.tag = tag;
        this.inbound = inbound;
        this.outbound = outbound;
        this.maxFrameLength = maxFrameLength;
        this.detach = detach;
    }

    public String name() {
        return name;
    }

    /** The longest frame {@link #offer} takes. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * Sends a frame into the network. The frame is copied; the buffer may be reused on return.
     *
     * @return false when the inbound ring is full: the backend drops the frame or retries later,
     *         whichever its transport calls for (a datagram socket drops, a stream can stop reading)
     * @throws IllegalArgumentException if the frame is longer than {@link #maxFrameLength}
     */
    public boolean offer(DirectBuffer frame, int offset, int length) {
        if (length > maxFrameLength) {
            throw new IllegalArgumentException(
                    "frame of " + length + " bytes exceeds maxFrameLength " + maxFrameLength + " on port '" + name + "'");
        }
        return inbound.write(tag, frame, offset, length);
    }

    /**
     * Wakes the switching agent if it sleeps, so that it forwards the frames offered so far at once.
     * An I/O agent does this after each duty cycle; any other thread that offers frames calls it after
     * a burst (the agent otherwise finds them when its sleep ends, within a millisecond).
     */
    public void notifySwitch() {
        switching.ring();
    }

    /** Hands up to {@code limit} delivered frames to {@code handler}; returns how many. */
    public int poll(FrameHandler handler, int limit) {
        receiver.handler = handler;
        int frames = outbound.read(receiver, limit);
        if (frames < limit) {
            // A read stops at the end of the ring's buffer: continue from its start.
            frames += outbound.read(receiver, limit - frames);
        }
        return frames;
    }

    /**
     * Hands up to {@code limit} delivered frames to {@code handler}, stopping at the first it leaves
     * ({@link ControlledMessageHandler.Action#ABORT}); returns how many it took.
     */
    public int controlledPoll(ControlledFrameHandler handler, int limit) {
        controlledReceiver.handler = handler;
        int frames = outbound.controlledRead(controlledReceiver, limit);
        if (frames < limit && !controlledReceiver.aborted) {
            frames += outbound.controlledRead(controlledReceiver, limit - frames);
        }
        controlledReceiver.aborted = false;
        return frames;
    }

    /** Whether the switch has delivered frames not polled yet. Only the polling thread's answer is exact. */
    public boolean hasFrames() {
        return outbound.size() > 0;
    }

    /** Detaches the port from the switch, as {@code close(name)} does, unless the name was reused. */
    @Override
    public void close() {
        detach.accept(this);
    }

    int tag() {
        return tag;
    }

    OneToOneRingBuffer outbound() {
        return outbound;
    }

    /** Adapts the ring's callback without a capturing lambda per poll. */
    private static final class Receiver implements MessageHandler {
        private FrameHandler handler;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            handler.onFrame(buffer, index, length);
        }
    }

    /** Adapts the ring's controlled callback, remembering an abort so that {@link #controlledPoll} stops. */
    private static final class ControlledReceiver implements ControlledMessageHandler {
        private ControlledFrameHandler handler;
        private boolean aborted;

        @Override
        public Action onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            Action action = handler.onFrame(buffer, index, length);
            aborted = action == Action.ABORT;
            return action;
        }
    }
}
