package io.vnetd.dataplane.backend.io;

import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.counters.Counter;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.model.netclient.NetClientCounter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames over a datagram socket, one raw frame per datagram: QEMU's {@code dgram} and
 * {@code socket} {@code udp=}/{@code mcast=} wire format. Reading takes a batch with one
 * {@code recvmmsg(2)} into the agent's {@link ReceiveBatch} and offers each datagram to the switch (a
 * full inbound ring drops it: a datagram socket has nowhere to hold it; on the switching agent's
 * thread the switch forwards it at once). Writing sends up to a batch
 * of delivered frames to the destination with one {@code sendmmsg(2)} straight from the port's ring
 * ({@link EndpointPort#peek}), copying none; when the socket's buffer is full the frames wait on the
 * ring for {@code EPOLLOUT}. A frame the socket refuses (a unix destination not bound, a datagram too
 * long) is dropped and counted. A {@link DatagramHeader} (L2TPv3's) goes before each frame sent, in an
 * iovec of its own, and is checked and skipped in each datagram received.
 *
 * <p>Agent thread only, except construction. Steady state allocates nothing.
 */
public final class DatagramIo implements Pollable {

    private final EndpointPort port;
    private final int maxFrameLength;
    private final int batch;
    private final Counter droppedRingFull;
    private final Counter droppedTooLong;
    private final Counter droppedSendError;
    private final Counter droppedBadHeader;
    private final DatagramHeader header;
    /** One {@link #header} per message of a batch, each in its message's first iovec. */
    private final UnsafeBuffer datagramHeaders;
    /** Held so that the memory lives as long as this: the buffer only knows its address. */
    private final MemorySegment memory;
    private final UnsafeBuffer headers;
    private final FrameHandler describer = this::describe;

    private EventLoop loop;
    private int fd = -1;
    private int token = -1;
    private int described;
    private boolean blocked;
    /** Sending again because epoll reported the socket writable: a refusal now is the frame's. */
    private boolean probing;

    /**
     * @param destination where frames are sent
     * @param batch       datagrams per system call at most
     */
    public DatagramIo(EndpointPort port, BackendCounters counters, SockAddr destination, int batch) {
        this(port, counters, destination, batch, DatagramHeader.NONE);
    }

    /** @param header what goes before each frame sent and is checked in each datagram received */
    public DatagramIo(EndpointPort port, BackendCounters counters, SockAddr destination, int batch,
                      DatagramHeader header) {
        this.port = port;
        this.header = header;
        this.maxFrameLength = port.maxFrameLength();
        this.batch = batch;
        this.droppedRingFull = counters.get(NetClientCounter.DROPPED_RING_FULL);
        this.droppedTooLong = counters.get(NetClientCounter.DROPPED_TOO_LONG);
        this.droppedSendError = counters.get(NetClientCounter.DROPPED_SEND_FAILED);
        this.droppedBadHeader = counters.get(NetClientCounter.DROPPED_BAD_HEADER);
        // Each message has two iovecs, its header's and its frame's; without a header it uses the second only.
        int headerBytes = batch * (ReceiveBatch.MMSGHDR_LENGTH + 2 * ReceiveBatch.IOVEC_LENGTH);
        int datagramHeadersOffset = BitUtil.align(headerBytes, BitUtil.CACHE_LINE_LENGTH);
        int nameOffset = BitUtil.align(datagramHeadersOffset + batch * header.length(), BitUtil.CACHE_LINE_LENGTH);
        this.memory = Arena.ofAuto().allocate(nameOffset + SockAddr.STORAGE_LENGTH, BitUtil.CACHE_LINE_LENGTH);
        this.headers = new UnsafeBuffer(memory.address(), headerBytes);
        this.datagramHeaders = new UnsafeBuffer(memory.address() + datagramHeadersOffset, batch * header.length());
        destination.copyTo(memory.asSlice(nameOffset, SockAddr.STORAGE_LENGTH));
        long iovecs = memory.address() + (long) batch * ReceiveBatch.MMSGHDR_LENGTH;
        int iovecsUsed = header.length() == 0 ? 1 : 2;
        for (int i = 0; i < batch; i++) {
            int message = i * ReceiveBatch.MMSGHDR_LENGTH;
            headers.putLong(message, memory.address() + nameOffset);
            headers.putInt(message + 8, destination.length());
            long firstIovec = iovecs + (long) (2 * i + 2 - iovecsUsed) * ReceiveBatch.IOVEC_LENGTH;
            headers.putLong(message + ReceiveBatch.MSG_IOV, firstIovec);
            headers.putLong(message + ReceiveBatch.MSG_IOVLEN, iovecsUsed);
            int headerIovec = batch * ReceiveBatch.MMSGHDR_LENGTH + 2 * i * ReceiveBatch.IOVEC_LENGTH;
            headers.putLong(headerIovec, datagramHeaders.addressOffset() + (long) i * header.length());
            headers.putLong(headerIovec + 8, header.length());
        }
    }

    /** Serves {@code fd} (a bound, non-blocking datagram socket) from now on. */
    public void attach(EventLoop loop, int fd) {
        this.loop = loop;
        this.fd = fd;
        this.token = loop.register(fd, Libc.EPOLLIN, this);
    }

    /** Stops serving the socket. */
    public void detach() {
        if (fd >= 0) {
            loop.deregister(token);
            fd = -1;
            token = -1;
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
        return fd >= 0 && !blocked && port.hasFrames();
    }

    private int receive() {
        ReceiveBatch rx = loop.receiveBatch();
        int n = rx.receive(fd);
        UnsafeBuffer buffer = rx.buffer();
        for (int i = 0; i < n; i++) {
            int length = rx.length(i);
            int frame;
            if (rx.truncated(i) || length > maxFrameLength) {
                droppedTooLong.incrementRelease();
            } else if ((frame = header.frameOffset(buffer, rx.offset(i), length)) < 0) {
                droppedBadHeader.incrementRelease();
            } else if (!port.offer(buffer, rx.offset(i) + frame, length - frame)) {
                droppedRingFull.incrementRelease();
            }
        }
        return n;
    }

    /**
     * Sends up to a batch of delivered frames from the ring; returns the frames taken off it (sent or
     * refused). {@code sendmmsg} stops at the first message it cannot send. If the socket was not
     * known to be writable, the rest waits for {@code EPOLLOUT}; if it was, the socket refuses that
     * frame, which is dropped and counted.
     */
    private int send() {
        described = 0;
        int lent = port.peek(describer, batch);
        int done = 0;
        while (done < lent) {
            int n = Libc.sendmmsg(fd, headers.addressOffset() + (long) done * ReceiveBatch.MMSGHDR_LENGTH,
                    lent - done, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
            if (n > 0) {
                done += n;
                probing = false;
            } else if (probing) {
                droppedSendError.incrementRelease();
                done++;
            } else {
                blocked = true;
                loop.modify(token, Libc.EPOLLIN | Libc.EPOLLOUT);
                break;
            }
        }
        port.release(done);
        return done;
    }

    /** Writes the next message's header and points its frame iovec at a frame on the ring. */
    private void describe(DirectBuffer ring, int offset, int length) {
        header.write(datagramHeaders, described * header.length());
        int iovec = batch * ReceiveBatch.MMSGHDR_LENGTH + (2 * described + 1) * ReceiveBatch.IOVEC_LENGTH;
        headers.putLong(iovec, ring.addressOffset() + offset);
        headers.putLong(iovec + 8, length);
        described++;
    }
}
