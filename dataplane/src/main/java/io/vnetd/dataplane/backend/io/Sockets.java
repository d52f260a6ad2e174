package io.vnetd.dataplane.backend.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Socket set-up calls for the threads that open and close backends: each allocates what it needs and
 * reports failure as an {@link ErrnoException} worded the way its caller passes in. Not for the
 * packet path.
 */
public final class Sockets {

    private Sockets() {
    }

    /** A non-blocking, close-on-exec socket. */
    public static int socket(int domain, int type, int protocol, String what) {
        return open(domain, type | Libc.SOCK_NONBLOCK, protocol, what);
    }

    /**
     * A blocking, close-on-exec socket: for a message that should wait for a busy peer rather than be
     * refused (a notification to a service manager).
     */
    public static int blockingSocket(int domain, int type, int protocol, String what) {
        return open(domain, type, protocol, what);
    }

    private static int open(int domain, int type, int protocol, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            int fd = Libc.socket(errno, domain, type | Libc.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new ErrnoException(what, Libc.errno(errno));
            }
            return fd;
        }
    }

    public static void setInt(int fd, int level, int option, int value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            if (Libc.setsockopt(errno, fd, level, option, arena.allocateFrom(ValueLayout.JAVA_INT, value), 4) < 0) {
                throw new ErrnoException(what, Libc.errno(errno));
            }
        }
    }

    /** {@code IP_ADD_MEMBERSHIP} of {@code group} on the interface with address {@code iface} (0: any). */
    public static void joinGroup(int fd, int group, int iface, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment mreq = arena.allocate(8, 4);
            mreq.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0, group);
            mreq.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 4, iface);
            if (Libc.setsockopt(errno, fd, Libc.IPPROTO_IP, Libc.IP_ADD_MEMBERSHIP, mreq, 8) < 0) {
                throw new ErrnoException(what, Libc.errno(errno));
            }
        }
    }

    /** {@code IP_MULTICAST_IF}: send multicast through the interface with address {@code iface}. */
    public static void multicastInterface(int fd, int iface, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment addr = arena.allocate(4, 4);
            addr.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0, iface);
            if (Libc.setsockopt(errno, fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF, addr, 4) < 0) {
                throw new ErrnoException(what, Libc.errno(errno));
            }
        }
    }

    public static void bind(int fd, SockAddr address, String what) {
        int errno = tryBind(fd, address);
        if (errno != 0) {
            throw new ErrnoException(what, errno);
        }
    }

    /** {@code bind(2)}; returns 0 or the {@code errno}. */
    public static int tryBind(int fd, SockAddr address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            return Libc.bind(errno, fd, address.toSegment(arena), address.length()) < 0 ? Libc.errno(errno) : 0;
        }
    }

    /** {@code listen(2)}; returns 0 or the {@code errno}. */
    public static int tryListen(int fd, int backlog) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            return Libc.listen(errno, fd, backlog) < 0 ? Libc.errno(errno) : 0;
        }
    }

    /** {@code connect(2)} on a non-blocking socket; returns 0, or the {@code errno} ({@code EINPROGRESS}: wait). */
    public static int connect(int fd, SockAddr address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            int rc;
            do {
                rc = Libc.connect(errno, fd, address.toSegment(arena), address.length());
            } while (rc < 0 && Libc.errno(errno) == Libc.EINTR);
            return rc < 0 ? Libc.errno(errno) : 0;
        }
    }

    /** {@code send(2)} of {@code message} whole, on a connected socket; returns 0 or the {@code errno}. */
    public static int trySend(int fd, byte[] message) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment copy = arena.allocateFrom(ValueLayout.JAVA_BYTE, message);
            long sent;
            do {
                sent = Libc.send(errno, fd, copy, message.length, Libc.MSG_NOSIGNAL);
            } while (sent < 0 && Libc.errno(errno) == Libc.EINTR);
            return sent < 0 ? Libc.errno(errno) : 0;
        }
    }

    /**
     * The MTU of the route to IPv4 address {@code destination} ({@code IP_MTU} of a datagram socket
     * connected to it), or -1 if there is none.
     */
    public static int routeMtu(SockAddr destination) {
        try (OwnedFd probe = new OwnedFd(socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0, "socket"));
             Arena arena = Arena.ofConfined()) {
            if (connect(probe.fd(), destination) != 0) {
                return -1;
            }
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
            if (Libc.getsockopt(errno, probe.fd(), Libc.IPPROTO_IP, Libc.IP_MTU, value, length) < 0) {
                return -1;
            }
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** {@code SO_ERROR}: the outcome of a non-blocking connect once the socket is writable. */
    public static int pendingError(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
            if (Libc.getsockopt(errno, fd, Libc.SOL_SOCKET, Libc.SO_ERROR, value, length) < 0) {
                return Libc.errno(errno);
            }
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Accepts a connection, non-blocking and close-on-exec.
     *
     * @return the descriptor, or -errno ({@code -EAGAIN}: none waiting)
     */
    public static int accept(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            int rc;
            do {
                rc = Libc.accept4(errno, fd, MemorySegment.NULL, MemorySegment.NULL,
                        Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            } while (rc < 0 && Libc.errno(errno) == Libc.EINTR);
            return rc < 0 ? -Libc.errno(errno) : rc;
        }
    }

    /** {@code getsockname(2)}. */
    public static SockAddr localAddress(int fd) {
        return address(fd, true);
    }

    /** {@code getpeername(2)}. */
    public static SockAddr peerAddress(int fd) {
        return address(fd, false);
    }

    private static SockAddr address(int fd, boolean local) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment address = arena.allocate(SockAddr.STORAGE_LENGTH, 8);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, SockAddr.STORAGE_LENGTH);
            int rc = local ? Libc.getsockname(errno, fd, address, length) : Libc.getpeername(errno, fd, address, length);
            if (rc < 0) {
                throw new ErrnoException(local ? "getsockname" : "getpeername", Libc.errno(errno));
            }
            return SockAddr.copyOf(address, length.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /** Closes {@code fd}; a failure (the descriptor is gone either way on Linux) is ignored. */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Libc.close(Libc.newErrnoCell(arena), fd);
        }
    }

    /**
     * Lets go of what {@code fd} refers to (the socket closes, its port or path is free) while the
     * number stays taken until {@link #close}: {@code fd} becomes a copy of a socket whose peer is gone
     * (reads see end of file, writes fail). Another thread may still be using the number, and must
     * never find it reused for something else; this is how the JDK closes a channel an I/O thread may
     * be using.
     */
    public static void release(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Libc.dup3(Libc.newErrnoCell(arena), DeadSocket.FD, fd, Libc.O_CLOEXEC);
        }
    }

    /** One end of a socket pair whose other end is closed, made on first use and kept for the process. */
    private static final class DeadSocket {
        static final int FD = create();

        private static int create() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errno = Libc.newErrnoCell(arena);
                MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
                if (Libc.socketpair(errno, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds) < 0) {
                    throw new ErrnoException("socketpair", Libc.errno(errno));
                }
                Libc.close(errno, fds.getAtIndex(ValueLayout.JAVA_INT, 1));
                return fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            }
        }
    }
}
