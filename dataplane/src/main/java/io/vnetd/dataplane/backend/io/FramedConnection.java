package io.vnetd.dataplane.backend.io;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.counters.Counter;
import io.vnetd.dataplane.port.ControlledFrameHandler;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.dataplane.port.PageMemory;
import io.vnetd.dataplane.switching.Outbound;
import io.vnetd.model.netclient.NetClientCounter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler.Action;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames over a stream socket, QEMU's stream and {@code socket} (TCP) wire format: each frame is
 * preceded by its length, 4 bytes big-endian. One connection at a time is attached; the owner attaches
 * the next after the last is lost.
 *
 * <p>Reading: one {@code recv} fills a buffer of up to {@code ioBufferLength} bytes, every complete
 * frame in it is offered to the switch, and a partial one waits for the rest (frames may be split
 * across reads and several may come in one). When the switch's inbound ring is full the connection
 * stops reading, so TCP pushes back on the peer, and the frames it holds are offered again every duty
 * cycle (on the switching agent's thread the switch forwards each frame as it is offered). A length
 * beyond {@code maxFrameLength} ends the connection, as in QEMU ({@code net_fill_rstate}), and counts in
 * {@code peer-errors}.
 *
 * <p>Writing: delivered frames are copied behind their lengths into a buffer of the same size (as the
 * switch delivers them, when its agent runs on this thread: {@link EndpointPort#receiveDirectly}),
 * which one {@code send} writes; when the socket takes only part of it, the rest waits for
 * {@code EPOLLOUT} and the frames stay on the port's ring until then (the switch counts a full ring as
 * its drop). While the switching agent still has frames to forward, the buffer is held for up to
 * {@code streamCoalesceNs} (or until it is full), so that one {@code send} carries the frames of many
 * duty cycles: on loopback a {@code send} costs as much as switching hundreds of small frames. Without
 * a connection, delivered frames are dropped and counted.
 *
 * <p>Agent thread only, except construction. Steady state allocates nothing.
 */
public final class FramedConnection implements Pollable {

    /** Hears that the attached connection is gone; agent thread. */
    @FunctionalInterface
    public interface Listener {
        /**
         * The peer closed the connection, it failed, or it broke the framing; it is detached already,
         * and {@code fd} (still open) is the owner's to close.
         */
        void onConnectionLost(int fd);
    }

    private static final int LENGTH_PREFIX = 4;

    private final EndpointPort port;
    private final Listener listener;
    private final int maxFrameLength;
    private final long coalesceNs;
    private final Counter droppedNotConnected;
    private final Counter peerErrors;
    /** Held so that the memory lives as long as the connection: the buffers only know its address. */
    private final MemorySegment memory;
    private final UnsafeBuffer readBuffer;
    private final UnsafeBuffer writeBuffer;
    private final ControlledFrameHandler stager = this::stage;
    private final Outbound.Receiver taker = this::take;
    private final FrameHandler discarder = this::discard;

    private EventLoop loop;
    private int fd = -1;
    private int token = -1;
    private int readStart;
    private int readEnd;
    private boolean inputStalled;
    private int writeStart;
    private int writeEnd;
    private boolean outputBlocked;
    /** Staging stopped at a frame the write buffer had no room for: write now. */
    private boolean writeBufferFull;
    /** When the oldest frame of the write buffer was staged (duty-cycle time). */
    private long stagedSince;

    /**
     * @param settings concluded: {@code ioBufferLength} sizes each of the two buffers, {@code streamCoalesceNs}
     *                 bounds how long a write is held
     */
    public FramedConnection(EndpointPort port, BackendCounters counters, DataPlane.Context settings, Listener listener) {
        this.port = port;
        this.listener = listener;
        this.maxFrameLength = port.maxFrameLength();
        this.coalesceNs = settings.streamCoalesceNs();
        int bufferLength = settings.ioBufferLength();
        this.droppedNotConnected = counters.get(NetClientCounter.DROPPED_NOT_CONNECTED);
        this.peerErrors = counters.get(NetClientCounter.PEER_ERRORS);
        // Pages of the buffers become resident as far as reads and writes reach: little while idle.
        this.memory = PageMemory.allocate(2L * bufferLength);
        this.readBuffer = new UnsafeBuffer(memory.address(), bufferLength);
        this.writeBuffer = new UnsafeBuffer(memory.address() + bufferLength, bufferLength);
    }

    /** Serves connection {@code fd} (non-blocking) from now on; frames held from an earlier one are gone. */
    public void attach(EventLoop loop, int fd) {
        if (this.fd >= 0) {
            throw new IllegalStateException("a connection is attached already");
        }
        this.loop = loop;
        this.fd = fd;
        readStart = readEnd = writeStart = writeEnd = 0;
        inputStalled = outputBlocked = false;
        token = loop.register(fd, Libc.EPOLLIN, this);
        port.receiveDirectly(taker);
    }

    /** Stops serving the connection and returns its descriptor, still open; -1 if none is attached. */
    public int detach() {
        int detached = fd;
        if (detached >= 0) {
            port.receiveDirectly(null);
            loop.deregister(token);
            fd = -1;
            token = -1;
        }
        return detached;
    }

    @Override
    public int onReady(int events) {
        int work = 0;
        if ((events & Libc.EPOLLOUT) != 0 && outputBlocked) {
            outputBlocked = false;
            loop.modify(token, Libc.EPOLLIN);
            work += transmit();
        }
        if (fd >= 0 && (events & (Libc.EPOLLIN | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0) {
            work += receive(events);
        }
        return work;
    }

    /**
     * The duty cycle's part: offers frames held back by a full ring, then writes delivered frames,
     * or drops them when no connection is attached.
     */
    public int doWork() {
        if (fd < 0) {
            return port.poll(discarder, Integer.MAX_VALUE);
        }
        int work = inputStalled ? parse() : 0;
        if (fd >= 0 && !outputBlocked) {
            work += transmit();
        }
        return work;
    }

    /** Whether {@link #doWork} has something to do now: frames held back, or frames to write or drop. */
    public boolean hasWork() {
        if (fd < 0) {
            return port.hasFrames();
        }
        return inputStalled || !outputBlocked && (writeStart < writeEnd || port.hasFrames());
    }

    /**
     * Reads what arrived. A failed read is a connection that ended when epoll reported a hang-up or
     * an error with it; otherwise there was nothing to read after all, or the failure's successor
     * reads as end of file.
     */
    private int receive(int events) {
        if (inputStalled) {
            return parse();
        }
        int capacity = readBuffer.capacity();
        if (readStart > 0 && capacity - readEnd < maxFrameLength + LENGTH_PREFIX) {
            // Room for a whole frame behind the partial one held: move that to the front.
            readBuffer.putBytes(0, readBuffer, readStart, readEnd - readStart);
            readEnd -= readStart;
            readStart = 0;
        }
        long n = Libc.recv(fd, readBuffer.addressOffset() + readEnd, capacity - readEnd, Libc.MSG_DONTWAIT);
        if (n == 0 || n < 0 && (events & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0) {
            lose();
            return 0;
        }
        if (n < 0) {
            return 0;
        }
        readEnd += (int) n;
        return parse();
    }

    /** Offers every complete frame held; returns how many went into the switch. */
    private int parse() {
        int frames = 0;
        while (readEnd - readStart >= LENGTH_PREFIX) {
            int length = readBuffer.getInt(readStart, ByteOrder.BIG_ENDIAN);
            if (length < 0 || length > maxFrameLength) {
                peerErrors.incrementRelease();
                lose();
                return frames;
            }
            if (readEnd - readStart - LENGTH_PREFIX < length) {
                break;
            }
            if (!port.offer(readBuffer, readStart + LENGTH_PREFIX, length)) {
                inputStalled = true;
                return frames;
            }
            readStart += LENGTH_PREFIX + length;
            frames++;
        }
        inputStalled = false;
        if (readStart == readEnd) {
            readStart = readEnd = 0;
        }
        return frames;
    }

    /**
     * Adds the port's delivered frames to the write buffer and writes it, unless more frames may join
     * them shortly (see {@link #coalesceNs}); returns the frames taken from the ring.
     */
    private int transmit() {
        writeBufferFull = false;
        int frames = port.controlledPoll(stager, Integer.MAX_VALUE);
        if (writeStart == writeEnd || !writeBufferFull && loop.switchBacklogged()
                && loop.nanoTime() - stagedSince < coalesceNs) {
            return frames;
        }
        long n = Libc.send(fd, writeBuffer.addressOffset() + writeStart, writeEnd - writeStart,
                Libc.MSG_NOSIGNAL | Libc.MSG_DONTWAIT);
        if (n < 0) {
            // The socket is full, or the connection failed: epoll then reports it writable and hung
            // up at once, and the read that follows ends the connection.
            block();
            return frames;
        }
        writeStart += (int) n;
        if (writeStart < writeEnd) {
            block();
        }
        return frames;
    }

    private void block() {
        outputBlocked = true;
        loop.modify(token, Libc.EPOLLIN | Libc.EPOLLOUT);
    }

    private Action stage(DirectBuffer frame, int offset, int length) {
        boolean empty = writeStart == writeEnd;
        if (empty) {
            writeStart = writeEnd = 0;
        }
        if (writeEnd + LENGTH_PREFIX + length > writeBuffer.capacity()) {
            writeBufferFull = true;
            return Action.ABORT;
        }
        if (empty) {
            stagedSince = loop.nanoTime();
        }
        writeBuffer.putInt(writeEnd, length, ByteOrder.BIG_ENDIAN);
        writeBuffer.putBytes(writeEnd + LENGTH_PREFIX, frame, offset, length);
        writeEnd += LENGTH_PREFIX + length;
        return Action.CONTINUE;
    }

    /**
     * Takes a frame as the switch delivers it (the switching agent runs on this thread), where a poll
     * of the ring would have put it: behind those staged, unless the socket is blocked.
     */
    private boolean take(DirectBuffer frame, int offset, int length) {
        return !outputBlocked && stage(frame, offset, length) == Action.CONTINUE;
    }

    private void discard(DirectBuffer frame, int offset, int length) {
        droppedNotConnected.incrementRelease();
    }

    private void lose() {
        int lost = detach();
        listener.onConnectionLost(lost);
    }
}
