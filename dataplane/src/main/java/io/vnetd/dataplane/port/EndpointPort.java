package io.vnetd.dataplane.port;

import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
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
    private final Receiver receiver = new Receiver();

    EndpointPort(String name, int tag, ManyToOneRingBuffer inbound, OneToOneRingBuffer outbound,
                 int maxFrameLength, Consumer<EndpointPort> detach) {
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
}
