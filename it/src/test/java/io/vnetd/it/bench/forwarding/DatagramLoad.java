package io.vnetd.it.bench.forwarding;

import io.vnetd.dataplane.backend.io.Epoll;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames into one dgram netdev and out of another, one frame per datagram, from one thread that
 * sends and receives a batch per system call ({@code sendmmsg}/{@code recvmmsg}, through vnetd's own
 * bindings), so that the generator outruns the forwarders it measures; with a full window it sleeps
 * in {@code epoll_wait} until frames come back, leaving the forwarder the CPU. Datagrams can be lost: a
 * sequence number skipped counts as lost at once (a forwarder keeps one flow's order), and a window
 * that makes no progress for half a second is written off; lost is what never came back.
 */
final class DatagramLoad implements Load {

    private static final int MMSGHDR = 64;
    private static final int IOVEC = 16;
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int WAIT_MS = 10;

    private final int frameLength;
    private final int window;
    private final int batch;
    private final int sender;
    private final int receiver;
    private final Arena arena = Arena.ofShared();
    private final Epoll waitForFrames;
    private final UnsafeBuffer txHeaders;
    private final UnsafeBuffer txFrames;
    private final UnsafeBuffer rxHeaders;
    private final UnsafeBuffer rxFrames;
    private final int slot;
    private int nextSequence;
    private int expectedSequence;

    /**
     * @param from    the address to send from (the input netdev's remote)
     * @param to      the input netdev's local address
     * @param receive the address to receive at (the output netdev's remote)
     */
    DatagramLoad(SockAddr from, SockAddr to, SockAddr receive, int frameLength, int window, int batch) {
        this.frameLength = frameLength;
        this.window = window;
        this.batch = batch;
        this.slot = (frameLength + 63) & ~63;
        this.sender = socket(from);
        this.receiver = socket(receive);
        this.waitForFrames = new Epoll(1, Libc.newErrnoCell(arena));
        waitForFrames.add(receiver, Libc.EPOLLIN, 0);
        MemorySegment destination = to.toSegment(arena);
        this.txHeaders = buffer(batch * (MMSGHDR + IOVEC));
        this.txFrames = buffer(batch * slot);
        this.rxHeaders = buffer(batch * (MMSGHDR + IOVEC));
        this.rxFrames = buffer(batch * slot);
        for (int i = 0; i < batch; i++) {
            Frames.write(txFrames, i * slot, frameLength);
            header(txHeaders, txFrames, i, destination, to.length(), frameLength);
            header(rxHeaders, rxFrames, i, MemorySegment.NULL, 0, slot);
        }
    }

    private UnsafeBuffer buffer(int length) {
        return new UnsafeBuffer(arena.allocate(length, 64).address(), length);
    }

    private void header(UnsafeBuffer headers, UnsafeBuffer frames, int i, MemorySegment name, int nameLength, int length) {
        long iovec = headers.addressOffset() + (long) batch * MMSGHDR + (long) i * IOVEC;
        headers.putLong(i * MMSGHDR, name.address());
        headers.putInt(i * MMSGHDR + 8, nameLength);
        headers.putLong(i * MMSGHDR + 16, iovec);
        headers.putLong(i * MMSGHDR + 24, 1);
        headers.putLong(batch * MMSGHDR + i * IOVEC, frames.addressOffset() + (long) i * slot);
        headers.putLong(batch * MMSGHDR + i * IOVEC + 8, length);
    }

    private static int socket(SockAddr bind) {
        int fd = Sockets.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0, "socket");
        Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, 4 << 20, "SO_SNDBUF");
        Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, 4 << 20, "SO_RCVBUF");
        Sockets.bind(fd, bind, "bind " + bind);
        return fd;
    }

    @Override
    public Result run(Duration duration) {
        long sent = 0;
        long received = 0;
        long lost = 0;
        long writtenOff = 0;
        long bad = 0;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long receivedAtEnd = -1;
        long lastProgress = start;
        while (true) {
            long now = System.nanoTime();
            if (receivedAtEnd < 0 && now - end >= 0) {
                receivedAtEnd = received;
            }
            long inFlight = sent - received - lost - writtenOff;
            if (receivedAtEnd >= 0 && (inFlight <= 0 || now - lastProgress > STALL_NS)) {
                break;
            }
            if (receivedAtEnd < 0) {
                if (inFlight < window) {
                    int frames = (int) Math.min(batch, window - inFlight);
                    for (int i = 0; i < frames; i++) {
                        Frames.sequence(txFrames, i * slot, nextSequence + i);
                    }
                    int n = Libc.sendmmsg(sender, txHeaders.addressOffset(), frames, Libc.MSG_DONTWAIT);
                    if (n > 0) {
                        nextSequence += n;
                        sent += n;
                    }
                } else if (now - lastProgress > STALL_NS) {
                    // Nothing came back for long: the window's tail was lost, with no later frame to
                    // reveal the gap. A frame that turns up later takes its place back.
                    writtenOff += inFlight;
                    lastProgress = now;
                }
            }
            if (inFlight >= window || receivedAtEnd >= 0) {
                // Nothing to send: wait for the forwarder rather than spin, leaving it the CPU.
                waitForFrames.poll(WAIT_MS);
            }
            int n = Libc.recvmmsg(receiver, rxHeaders.addressOffset(), batch, Libc.MSG_DONTWAIT);
            for (int i = 0; i < n; i++) {
                if (rxHeaders.getInt(i * MMSGHDR + 56) != frameLength || !Frames.hasHeader(rxFrames, i * slot)) {
                    bad++;
                    continue;
                }
                // A forwarder keeps the order of one flow: a sequence skipped is a frame lost.
                int gap = Frames.sequence(rxFrames, i * slot) - expectedSequence;
                if (gap > 0) {
                    lost += gap;
                }
                if (gap >= 0) {
                    expectedSequence += gap + 1;
                }
            }
            if (n > 0) {
                received += n;
                writtenOff = Math.max(0, Math.min(writtenOff, sent - received - lost));
                lastProgress = now;
            }
        }
        return new Result(receivedAtEnd, duration.toNanos() / 1e9, sent - received, bad);
    }

    @Override
    public void close() {
        waitForFrames.close();
        Sockets.close(sender);
        Sockets.close(receiver);
        arena.close();
    }
}
