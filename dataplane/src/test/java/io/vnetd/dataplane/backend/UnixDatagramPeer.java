package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A unix datagram socket for tests (the JDK has none): bound to a path, sends to a path, receives with a bound wait. */
final class UnixDatagramPeer implements AutoCloseable {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(65536);
    private final int fd;

    private UnixDatagramPeer(int fd) {
        this.fd = fd;
    }

    static UnixDatagramPeer bind(String path) {
        int fd = Sockets.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0, "socket");
        Sockets.bind(fd, SockAddr.unix(path, false, false), "bind " + path);
        return new UnixDatagramPeer(fd);
    }

    /** Sends one datagram to the socket bound at {@code path}. */
    void sendTo(String path, byte[] datagram) {
        int sender = Sockets.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0, "socket");
        try {
            int rc = Sockets.connect(sender, SockAddr.unix(path, false, false));
            if (rc != 0) {
                throw new ErrnoException("connect " + path, rc);
            }
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, datagram);
            if (Libc.send(sender, data.address(), datagram.length, 0) != datagram.length) {
                throw new IllegalStateException("could not send " + datagram.length + " bytes to " + path);
            }
        } finally {
            Sockets.close(sender);
        }
    }

    /** The next datagram, waiting at most 10 s. */
    byte[] receive() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long n = Libc.recv(fd, buffer.address(), buffer.byteSize(), Libc.MSG_DONTWAIT);
            if (n >= 0) {
                return buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no datagram within 10 s");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    @Override
    public void close() {
        Sockets.close(fd);
        arena.close();
    }
}
