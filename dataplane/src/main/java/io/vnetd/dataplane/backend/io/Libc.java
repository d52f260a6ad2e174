package io.vnetd.dataplane.backend.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The socket, epoll and resolver calls of Linux's libc, bound with {@code java.lang.foreign}: the JDK
 * has no unix datagram sockets, no abstract unix addresses, no {@code recvmmsg}/{@code sendmmsg}, and
 * its selectors allocate while they poll.
 *
 * <p>Every set-up call that reports failure through {@code errno} takes an errno cell first (see
 * {@link #newErrnoCell}), where the linker stores {@code errno} as the call returns. The calls made
 * on the packet path ({@link #recv}, {@link #send}, {@link #recvmmsg}, {@link #sendmmsg},
 * {@link #epollWait}, {@link #read}, {@link #write}) take buffers as raw addresses and do not capture
 * {@code errno} at all: the linker allocates a view of the cell for each call that does, and their
 * callers tell failures apart without it (a stream's end shows as end of file or a hang-up; a datagram
 * socket that stays writable yet refuses a frame refuses that frame).
 *
 * <p>The constants are Linux's generic ones, shared by x86-64 and AArch64.
 */
public final class Libc {

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_VSOCK = 40;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_MPTCP = 262;
    public static final int TCP_NODELAY = 1;
    public static final int IPV6_V6ONLY = 26;
    public static final int IP_MTU_DISCOVER = 10;
    /** {@code IP_MTU_DISCOVER}: set DF on every datagram, without path MTU discovery. */
    public static final int IP_PMTUDISC_PROBE = 3;
    public static final int IP_MTU = 14;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;

    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;

    public static final int O_CLOEXEC = 0x80000;

    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;

    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EADDRINUSE = 98;
    public static final int EINPROGRESS = 115;

    public static final int AI_PASSIVE = 0x1;
    public static final int AI_NUMERICHOST = 0x4;
    public static final int AI_ADDRCONFIG = 0x20;
    public static final int AI_NUMERICSERV = 0x400;
    public static final int EAI_SYSTEM = -11;
    public static final int NI_NUMERICHOST = 1;
    public static final int NI_NUMERICSERV = 2;
    public static final int NI_MAXHOST = 1025;
    public static final int NI_MAXSERV = 32;

    /** {@code struct addrinfo} on LP64 Linux: six ints and pointers, 48 bytes. */
    public static final int ADDRINFO_FLAGS = 0;
    public static final int ADDRINFO_FAMILY = 4;
    public static final int ADDRINFO_SOCKTYPE = 8;
    public static final int ADDRINFO_PROTOCOL = 12;
    public static final int ADDRINFO_ADDRLEN = 16;
    public static final int ADDRINFO_ADDR = 24;
    public static final int ADDRINFO_NEXT = 40;
    public static final int ADDRINFO_SIZE = 48;

    private static final StructLayout CAPTURED_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURED_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR = errnoCall("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle BIND = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = errnoCall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CONNECT = errnoCall("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle ACCEPT4 = errnoCall("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle CLOSE = errnoCall("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle DUP3 = errnoCall("dup3", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKOPT =
            errnoCall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETSOCKNAME = errnoCall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETPEERNAME = errnoCall("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle RECV = call("recv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND = call("send", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND_SETUP = errnoCall("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECVMMSG = call("recvmmsg", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle SENDMMSG = call("sendmmsg", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CREATE1 = errnoCall("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EVENTFD = errnoCall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ_FAST = call("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle WRITE_FAST = call("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle EPOLL_CTL = errnoCall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle EPOLL_CTL_FAST = call("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle EPOLL_WAIT = call("epoll_wait", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle UNLINK = errnoCall("unlink", JAVA_INT, ADDRESS);
    private static final MethodHandle GETADDRINFO = errnoCall("getaddrinfo", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle FREEADDRINFO = call("freeaddrinfo", null, ADDRESS);
    private static final MethodHandle GAI_STRERROR = call("gai_strerror", ADDRESS, JAVA_INT);
    private static final MethodHandle GETNAMEINFO =
            call("getnameinfo", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle STRERROR = call("strerror", ADDRESS, JAVA_INT);

    private Libc() {
    }

    private static MethodHandle errnoCall(String name, MemoryLayout result, MemoryLayout... args) {
        return Native.downcall(name, FunctionDescriptor.of(result, args), Native.CAPTURE_ERRNO);
    }

    private static MethodHandle call(String name, MemoryLayout result, MemoryLayout... args) {
        return Native.downcall(name, result == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(result, args));
    }

    /**
     * Makes one harmless call (on descriptor -1) through each packet-path handle: the first call of a
     * handle spins classes, which would otherwise happen, allocating, on an agent the first time a
     * socket blocks or a frame is refused.
     */
    public static void bindPacketPath() {
        recv(-1, 0, 0, MSG_DONTWAIT);
        send(-1, 0, 0, MSG_DONTWAIT);
        recvmmsg(-1, 0, 0, MSG_DONTWAIT);
        sendmmsg(-1, 0, 0, MSG_DONTWAIT);
        read(-1, 0, 0);
        write(-1, 0, 0);
        epollWait(-1, 0, 0, 0);
        epollCtl(-1, EPOLL_CTL_MOD, -1, MemorySegment.NULL);
    }

    /** A cell for the {@code errno} of the calls one thread makes. */
    public static MemorySegment newErrnoCell(Arena arena) {
        return arena.allocate(CAPTURED_STATE);
    }

    /** The {@code errno} the last call given {@code cell} left there. */
    public static int errno(MemorySegment cell) {
        return (int) ERRNO.get(cell, 0L);
    }

    /** {@code strerror(3)}: the C library's text for {@code errno}, as QEMU prints it. */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw Native.unexpected("strerror", t);
        }
    }

    public static String gaiStrerror(int code) {
        try {
            MemorySegment text = (MemorySegment) GAI_STRERROR.invokeExact(code);
            return text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw Native.unexpected("gai_strerror", t);
        }
    }

    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw Native.unexpected("socket", t);
        }
    }

    /** {@code socketpair(2)}; {@code fds} receives the two descriptors. */
    public static int socketpair(MemorySegment errno, int domain, int type, int protocol, MemorySegment fds) {
        try {
            return (int) SOCKETPAIR.invokeExact(errno, domain, type, protocol, fds);
        } catch (Throwable t) {
            throw Native.unexpected("socketpair", t);
        }
    }

    public static int bind(MemorySegment errno, int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw Native.unexpected("bind", t);
        }
    }

    public static int listen(MemorySegment errno, int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(errno, fd, backlog);
        } catch (Throwable t) {
            throw Native.unexpected("listen", t);
        }
    }

    public static int connect(MemorySegment errno, int fd, MemorySegment address, int length) {
        try {
            return (int) CONNECT.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw Native.unexpected("connect", t);
        }
    }

    /** {@code accept4(2)}; {@code length} is a socklen_t cell holding the address buffer's size. */
    public static int accept4(MemorySegment errno, int fd, MemorySegment address, MemorySegment length, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(errno, fd, address, length, flags);
        } catch (Throwable t) {
            throw Native.unexpected("accept4", t);
        }
    }

    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw Native.unexpected("close", t);
        }
    }

    public static int dup3(MemorySegment errno, int oldFd, int newFd, int flags) {
        try {
            return (int) DUP3.invokeExact(errno, oldFd, newFd, flags);
        } catch (Throwable t) {
            throw Native.unexpected("dup3", t);
        }
    }

    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw Native.unexpected("setsockopt", t);
        }
    }

    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value,
                                 MemorySegment length) {
        try {
            return (int) GETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw Native.unexpected("getsockopt", t);
        }
    }

    public static int getsockname(MemorySegment errno, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw Native.unexpected("getsockname", t);
        }
    }

    public static int getpeername(MemorySegment errno, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETPEERNAME.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw Native.unexpected("getpeername", t);
        }
    }

    /** {@code recv(2)} into {@code length} bytes at {@code address}: the byte count, 0 at end of file, or -1. */
    public static long recv(int fd, long address, long length, int flags) {
        try {
            return (long) RECV.invokeExact(fd, address, length, flags);
        } catch (Throwable t) {
            throw Native.unexpected("recv", t);
        }
    }

    /** {@code send(2)} of {@code length} bytes at {@code address}: the byte count, or -1. */
    public static long send(int fd, long address, long length, int flags) {
        try {
            return (long) SEND.invokeExact(fd, address, length, flags);
        } catch (Throwable t) {
            throw Native.unexpected("send", t);
        }
    }

    /** {@code send(2)} off the packet path, {@code errno} kept: the byte count, or -1. */
    public static long send(MemorySegment errno, int fd, MemorySegment message, long length, int flags) {
        try {
            return (long) SEND_SETUP.invokeExact(errno, fd, message, length, flags);
        } catch (Throwable t) {
            throw Native.unexpected("send", t);
        }
    }

    /** {@code recvmmsg(2)} into the {@code struct mmsghdr} array at {@code messages}, no timeout: the count, or -1. */
    public static int recvmmsg(int fd, long messages, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(fd, messages, count, flags, 0L);
        } catch (Throwable t) {
            throw Native.unexpected("recvmmsg", t);
        }
    }

    /** {@code sendmmsg(2)} of the {@code struct mmsghdr} array at {@code messages}: the count sent, or -1. */
    public static int sendmmsg(int fd, long messages, int count, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(fd, messages, count, flags);
        } catch (Throwable t) {
            throw Native.unexpected("sendmmsg", t);
        }
    }

    public static int epollCreate1(MemorySegment errno, int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(errno, flags);
        } catch (Throwable t) {
            throw Native.unexpected("epoll_create1", t);
        }
    }

    public static int eventfd(MemorySegment errno, int initialValue, int flags) {
        try {
            return (int) EVENTFD.invokeExact(errno, initialValue, flags);
        } catch (Throwable t) {
            throw Native.unexpected("eventfd", t);
        }
    }

    /** {@code read(2)} of {@code length} bytes into {@code address}; the byte count, or -1 (errno not kept). */
    public static long read(int fd, long address, long length) {
        try {
            return (long) READ_FAST.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw Native.unexpected("read", t);
        }
    }

    /** {@code write(2)} of {@code length} bytes at {@code address}; the byte count, or -1 (errno not kept). */
    public static long write(int fd, long address, long length) {
        try {
            return (long) WRITE_FAST.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw Native.unexpected("write", t);
        }
    }

    public static int epollCtl(MemorySegment errno, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(errno, epfd, op, fd, event);
        } catch (Throwable t) {
            throw Native.unexpected("epoll_ctl", t);
        }
    }

    /** {@code epoll_ctl(2)} without {@code errno}: 0, or -1. */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL_FAST.invokeExact(epfd, op, fd, event);
        } catch (Throwable t) {
            throw Native.unexpected("epoll_ctl", t);
        }
    }

    /**
     * {@code epoll_wait(2)} into the {@code struct epoll_event} array at {@code events}; -1 when
     * interrupted by a signal (its only failure on a valid instance).
     */
    public static int epollWait(int epfd, long events, int maxEvents, int timeoutMs) {
        try {
            return (int) EPOLL_WAIT.invokeExact(epfd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw Native.unexpected("epoll_wait", t);
        }
    }

    public static int unlink(MemorySegment errno, MemorySegment path) {
        try {
            return (int) UNLINK.invokeExact(errno, path);
        } catch (Throwable t) {
            throw Native.unexpected("unlink", t);
        }
    }

    /** {@code getaddrinfo(3)}; returns 0 or an {@code EAI_*} code, {@code result} receives the list. */
    public static int getaddrinfo(MemorySegment errno, MemorySegment node, MemorySegment service, MemorySegment hints,
                                  MemorySegment result) {
        try {
            return (int) GETADDRINFO.invokeExact(errno, node, service, hints, result);
        } catch (Throwable t) {
            throw Native.unexpected("getaddrinfo", t);
        }
    }

    public static void freeaddrinfo(MemorySegment list) {
        try {
            FREEADDRINFO.invokeExact(list);
        } catch (Throwable t) {
            throw Native.unexpected("freeaddrinfo", t);
        }
    }

    public static int getnameinfo(MemorySegment address, int length, MemorySegment host, int hostLength,
                                  MemorySegment service, int serviceLength, int flags) {
        try {
            return (int) GETNAMEINFO.invokeExact(address, length, host, hostLength, service, serviceLength, flags);
        } catch (Throwable t) {
            throw Native.unexpected("getnameinfo", t);
        }
    }
}
