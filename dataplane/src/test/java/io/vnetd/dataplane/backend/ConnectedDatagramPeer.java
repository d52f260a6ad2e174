package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.backend.io.AddrInfo;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * A datagram socket of any family and type for tests, the JDK having no raw sockets: bound to one
 * address and connected to another, so it hears only that peer (a raw IP socket too: the kernel matches
 * a connected raw socket's source). Datagrams are sent and received as they are on the wire; a raw
 * IPv4 socket receives the IP header before them.
 */
final class ConnectedDatagramPeer implements AutoCloseable {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(1 << 16);
    private final MemorySegment outgoing = arena.allocate(1 << 16);
    private final int fd;

    private ConnectedDatagramPeer(int fd) {
        this.fd = fd;
    }

    /** The address {@code getaddrinfo} gives for {@code host} and {@code port} (null: none). */
    static SockAddr address(String host, String port, int family, int socktype) {
        try {
            return AddrInfo.lookup(host, port, family, socktype, 0).getFirst().address();
        } catch (AddrInfo.LookupException e) {
            throw new IllegalStateException(host + ": " + e.getMessage(), e);
        }
    }

    static ConnectedDatagramPeer open(int family, int socktype, int protocol, SockAddr local, SockAddr remote) {
        int fd = Sockets.socket(family, socktype, protocol, "socket");
        try {
            Sockets.bind(fd, local, "bind " + local);
            int rc = Sockets.connect(fd, remote);
            if (rc != 0) {
                throw new ErrnoException("connect " + remote, rc);
            }
            return new ConnectedDatagramPeer(fd);
        } catch (RuntimeException e) {
            Sockets.close(fd);
            throw e;
        }
    }

    /** The port it is bound to (UDP). */
    int port() {
        return Sockets.localAddress(fd).port();
    }

    void send(byte[] datagram) {
        MemorySegment.copy(datagram, 0, outgoing, ValueLayout.JAVA_BYTE, 0, datagram.length);
        if (Libc.send(fd, outgoing.address(), datagram.length, Libc.MSG_DONTWAIT) != datagram.length) {
            throw new IllegalStateException("could not send " + datagram.length + " bytes");
        }
    }

    /** The next datagram within {@code timeout}, if any. */
    Optional<byte[]> receive(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long n = Libc.recv(fd, buffer.address(), buffer.byteSize(), Libc.MSG_DONTWAIT);
            if (n >= 0) {
                return Optional.of(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
            if (System.nanoTime() - deadline > 0) {
                return Optional.empty();
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
