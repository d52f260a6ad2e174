package io.vnetd.dataplane.port;

import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.dataplane.switching.Outbound;
import java.util.function.Consumer;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * A backend's (or a NIC guest side's) attachment to the switch: frames it {@link #offer}s go into the
 * switch through its {@link SwitchInput} (the shared inbound ring, or straight into the switching
 * agent for an endpoint served on that agent's thread), frames the switch delivers to it wait on its
 * own outbound ring until it {@link #poll}s them. One I/O thread may offer and one may poll (they may
 * be the same); neither call allocates, blocks or takes a lock.
 */
public final class EndpointPort implements AutoCloseable {

    private final String name;
    private final int tag;
    private final SwitchInput input;
    private final Outbound deliveries;
    private final OneToOneRingBuffer outbound;
    private final int maxFrameLength;
    private final Consumer<EndpointPort> detach;
    private final Doorbell switching;
    private final Receiver receiver = new Receiver();
    private final ControlledReceiver controlledReceiver = new ControlledReceiver();
    /** Where each frame lent by {@link #peek} ends, relative to the head when it was lent. */
    private int[] lentEnds = new int[0];

    EndpointPort(String name, int tag, SwitchInput input, Outbound deliveries,
                 int maxFrameLength, Consumer<EndpointPort> detach, Doorbell switching) {
        this.switching = switching;
        this.name = name;
        this.tag = tag;
        this.input = input;
        this.deliveries = deliveries;
        this.outbound = deliveries.ring();
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
     *         whichever its transport calls for (a datagram socket drops, a stream can stop reading);
     *         always true for a port whose frames go straight into the switching agent
     * @throws IllegalArgumentException if the frame is longer than {@link #maxFrameLength}
     */
    public boolean offer(DirectBuffer frame, int offset, int length) {
        if (length > maxFrameLength) {
            throw new IllegalArgumentException(
                    "frame of " + length + " bytes exceeds maxFrameLength " + maxFrameLength + " on port '" + name + "'");
        }
        return input.write(tag, frame, offset, length);
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

    /**
     * Lends up to {@code limit} delivered frames in place, oldest first, without taking them off the
     * ring: each is valid until {@link #release} takes it, and the switch cannot overwrite it before.
     * A backend that hands frames to the kernel by address ({@code sendmmsg}) copies none of them;
     * it releases those sent and lends the others again later. Lending again lends the same frames.
     *
     * @return how many frames {@code handler} was given
     */
    public int peek(FrameHandler handler, int limit) {
        if (lentEnds.length < limit) {
            lentEnds = new int[limit];
        }
        AtomicBuffer ring = outbound.buffer();
        int capacity = outbound.capacity();
        long head = ring.getLong(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET);
        int bytes = 0;
        int frames = 0;
        while (frames < limit && bytes < capacity) {
            int record = (int) (head + bytes) & (capacity - 1);
            int length = ring.getIntVolatile(RecordDescriptor.lengthOffset(record));
            if (length <= 0) {
                break;
            }
            bytes += BitUtil.align(length, RecordDescriptor.ALIGNMENT);
            if (ring.getInt(RecordDescriptor.typeOffset(record)) == RingBuffer.PADDING_MSG_TYPE_ID) {
                continue;
            }
            handler.onFrame(ring, record + RecordDescriptor.HEADER_LENGTH, length - RecordDescriptor.HEADER_LENGTH);
            lentEnds[frames++] = bytes;
        }
        return frames;
    }

    /** Takes the first {@code frames} frames that {@link #peek} lent off the ring. */
    public void release(int frames) {
        if (frames > 0) {
            AtomicBuffer ring = outbound.buffer();
            int headIndex = outbound.capacity() + RingBufferDescriptor.HEAD_POSITION_OFFSET;
            ring.putLongRelease(headIndex, ring.getLong(headIndex) + lentEnds[frames - 1]);
        }
    }

    /**
     * Lets {@code receiver} take each frame as the switch delivers it, instead of the ring holding it
     * for a poll, when this port's frames are switched on the caller's thread (otherwise nothing
     * changes); a frame it leaves goes on the ring, and so does every frame after it while the ring
     * holds any. Null stops it. The polling thread only.
     */
    public void receiveDirectly(Outbound.Receiver receiver) {
        deliveries.receiveDirectly(receiver);
    }

    /**
     * Has {@code signal} run on the switching agent's thread after each duty cycle that delivered frames to this port
     * (null: none): how a reader that serves many ports learns which to poll. Any thread.
     */
    public void signalDeliveries(Runnable signal) {
        deliveries.signalDeliveries(signal);
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
