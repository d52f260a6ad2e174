package io.vnetd.dataplane.backend.io;

import io.vnetd.dataplane.counters.BackendCounter;
import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.port.ControlledFrameHandler;
import io.vnetd.dataplane.port.EndpointPort;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler.Action;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Frames over a datagram socket, one raw frame per datagram: QEMU's {@code dgram} and
 * {@code socket} {@code udp=}/{@code mcast=} wire format. Reading takes a batch with one
 * {@code recvmmsg(2)} into the agent's {@link ReceiveBatch} and offers each datagram to the switch (a
 * full inbound ring drops it: a datagram socket has nowhere to hold it). Writing copies up to a batch
 * of delivered frames into this socket's staging area and sends them to the destination with one
 * {@code sendmmsg(2)}; when the socket's buffer is full the batch waits for {@code EPOLLOUT} and
 * further frames stay on the port's ring. A frame the socket refuses (a unix destination not bound,
 * a datagram too long) is dropped and counted.
 *
 * <p>Agent thread only, except construction. Steady state allocates nothing.
 */
public final class DatagramIo implements Pollable {

    private final EndpointPort port;
    private final int maxFrameLength;
    private final int batch;
    private final AtomicCounter droppedRingFull;
    private final AtomicCounter droppedTooLong;
    private final AtomicCounter droppedSendError;
    /** Held so that the memory lives as long as this: the buffers only know its address. */
    private final MemorySegment memory;
    private final UnsafeBuffer headers;
    private final UnsafeBuffer staging;
    private final ControlledFrameHandler stager = this::stage;

    private EventLoop loop;
    private int fd = -1;
    private int token = -1;
    private int staged;
    private int stagedBytes;
    private int sent;
    private boolean blocked;
    /** Sending again because epoll reported the socket writable: a refusal now is the frame's. */
    private boolean probing;

    /**
     * @param destination  where frames are sent
     * @param batch        datagrams per system call at most
     * @param stagingLength bytes of frames staged per {@code sendmmsg}; at least a longest frame
     */
    public DatagramIo(EndpointPort port, BackendCounters counters, SockAddr destination, int batch, int stagingLength) {
        this.port = port;
        this.maxFrameLength = port.maxFrameLength();
        this.batch = batch;
        if (stagingLength < maxFrameLength) {
            throw new IllegalArgumentException("a staging area of " + stagingLength + " bytes cannot hold a frame of "
                    + maxFrameLength + " bytes");
        }
        this.droppedRingFull = counters.get(BackendCounter.RX_DROPPED_RING_FULL);
        this.droppedTooLong = counters.get(BackendCounter.RX_DROPPED_TOO_LONG);
        this.droppedSendError = counters.get(BackendCounter.TX_DROPPED_SEND_ERROR);
        int headerBytes = batch * (ReceiveBatch.MMSGHDR_LENGTH + ReceiveBatch.IOVEC_LENGTH);
        int nameOffset = BitUtil.align(headerBytes, BitUtil.CACHE_LINE_LENGTH);
        int stagingOffset = nameOffset + BitUtil.align(SockAddr.STORAGE_LENGTH, BitUtil.CACHE_LINE_LENGTH);
        this.memory = Arena.ofAuto().allocate(stagingOffset + (long) stagingLength, BitUtil.CACHE_LINE_LENGTH);
        this.headers = new UnsafeBuffer(memory.address(), headerBytes);
        this.staging = new UnsafeBuffer(memory.address() + stagingOffset, stagingLength);
        destination.copyTo(memory.asSlice(nameOffset, SockAddr.STORAGE_LENGTH));
        long iovecs = memory.address() + (long) batch * ReceiveBatch.MMSGHDR_LENGTH;
        for (int i = 0; i < batch; i++) {
            int header = i * ReceiveBatch.MMSGHDR_LENGTH;
            headers.putLong(header, memory.address() + nameOffset);
            headers.putInt(header + 8, destination.length());
            headers.putLong(header + ReceiveBatch.MSG_IOV, iovecs + (long) i * ReceiveBatch.IOVEC_LENGTH);
            headers.putLong(header + ReceiveBatch.MSG_IOVLEN, 1);
        }
    }

    /** Serves {@code fd} (a bound, non-blocking datagram socket) from now on. */
    public void attach(EventLoop loop, int fd) {
        this.loop = loop;
        this.fd = fd;
        this.token = loop.register(fd, Libc.EPOLLIN, this);
    }

    /** Stops serving the socket; frames staged and not sent are dropped. */
    public void detach() {
        if (fd >= 0) {
            loop.deregister(token);
            fd = -1;
            token = -1;
            staged = sent = stagedBytes = 0;
            blocked = probing = false;
        }
    }

    @Override
    public int onReady(int events) {
        int work = 0;
        if ((events & Libc.EPOLLOUT) != 0 && blocked) {
            blocked = false;
            probing = true;
            loop.modify(token, Libc.EPOLLIN);
            work += send();
        }
        if ((events & Libc.EPOLLIN) != 0) {
            work += receive();
        }
        return work;
    }

    /** The duty cycle's part: sends the frames the switch delivered. */
    public int doWork() {
        if (fd < 0 || blocked) {
            return 0;
        }
        return send();
    }

    /** Whether {@link #doWork} has frames to send now. */
    public boolean hasWork() {
        return fd >= 0 && !blocked && (sent < staged || port.hasFrames());
    }

    private int receive() {
        ReceiveBatch rx = loop.receiveBatch();
        int n = rx.receive(fd);
        UnsafeBuffer buffer = rx.buffer();
        for (int i = 0; i < n; i++) {
            int length = rx.length(i);
            if (rx.truncated(i) || length > maxFrameLength) {
                droppedTooLong.incrementRelease();
            } else if (!port.offer(buffer, rx.offset(i), length)) {
                droppedRingFull.incrementRelease();
            }
        }
        return n;
    }

    /**
     * Sends what is staged, staging a new batch first if nothing is; returns the frames sent.
     * {@code sendmmsg} stops at the first message it cannot send. If the socket was not known to be
     * writable, the batch waits for {@code EPOLLOUT}; if it was, the socket refuses that frame (a unix
     * destination not bound, a datagram too long), which is dropped and counted.
     */
    private int send() {
        if (sent == staged) {
            staged = sent = stagedBytes = 0;
            port.controlledPoll(stager, batch);
            if (staged == 0) {
                return 0;
            }
        }
        int before = sent;
        while (sent < staged) {
            int n = Libc.sendmmsg(fd, headers.addressOffset() + (long) sent * ReceiveBatch.MMSGHDR_LENGTH,
                    staged - sent, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
            if (n > 0) {
                sent += n;
                probing = false;
            } else if (probing) {
                droppedSendError.incrementRelease();
                sent++;
            } else {
                blocked = true;
                loop.modify(token, Libc.EPOLLIN | Libc.EPOLLOUT);
                break;
            }
        }
        return sent - before;
    }

    private Action stage(DirectBuffer frame, int offset, int length) {
        if (staged == batch || stagedBytes + length > staging.capacity()) {
            return Action.ABORT;
        }
        staging.putBytes(stagedBytes, frame, offset, length);
        int iovec = batch * ReceiveBatch.MMSGHDR_LENGTH + staged * ReceiveBatch.IOVEC_LENGTH;
        headers.putLong(iovec, staging.addressOffset() + stagedBytes);
        headers.putLong(iovec + 8, length);
        stagedBytes += BitUtil.align(length, Long.BYTES);
        staged++;
        return Action.CONTINUE;
    }
}
