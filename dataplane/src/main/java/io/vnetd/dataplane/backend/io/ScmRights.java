package io.vnetd.dataplane.backend.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Descriptors passed over UNIX stream sockets ({@code SCM_RIGHTS}): a {@link Receiver} that takes up
 * to a given number with each message, the one-descriptor receive with which QEMU takes the tap that
 * {@code qemu-bridge-helper} opened ({@code recv_fd} in {@code net/tap.c}), and a {@link #send} that
 * attaches several. Received descriptors are always close-on-exec.
 */
public final class ScmRights {

    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final long SEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    /** {@code struct msghdr} on LP64 Linux. */
    private static final int MSGHDR_LENGTH = 56;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int IOVEC_LENGTH = 16;
    /** {@code struct cmsghdr}: {@code size_t cmsg_len}, {@code int cmsg_level}, {@code int cmsg_type}, data. */
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;
    private static final int CMSG_DATA = 16;

    private static final MethodHandle RECVMSG = Native.downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Native.CAPTURE_ERRNO);
    private static final MethodHandle SENDMSG = Native.downcall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Native.CAPTURE_ERRNO);

    private ScmRights() {
    }

    /** A connected pair of blocking, close-on-exec UNIX stream sockets. */
    public static int[] socketPair() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if (Libc.socketpair(errno, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds) < 0) {
                throw new ErrnoException("socketpair", Libc.errno(errno));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * Waits for a message on {@code socket} and takes the descriptor it carries (any more it carries
     * are closed). Set-up threads only: it blocks, as QEMU's does.
     *
     * @return the descriptor, or -1 if the peer closed its end without sending one (or the call failed)
     */
    public static int receive(int socket) {
        Receiver receiver = new Receiver(1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(1);
            long n = receiver.receive(socket, data.address(), 1, 0);
            return n > 0 && receiver.fdCount() == 1 ? receiver.fd(0) : -1;
        }
    }

    /**
     * Receives messages with descriptors on a socket: its {@code msghdr}, one data vector and a control
     * buffer for a fixed number of descriptors are made once and reused, so a receive allocates nothing.
     * One thread.
     */
    public static final class Receiver {
        private final Arena arena = Arena.ofAuto();
        private final MemorySegment errno = Libc.newErrnoCell(arena);
        private final MemorySegment msg = arena.allocate(MSGHDR_LENGTH, 8);
        private final MemorySegment iov = arena.allocate(IOVEC_LENGTH, 8);
        private final long controlLength;
        private final MemorySegment control;
        private final int[] fds;
        private int fdCount;
        private boolean truncated;

        /** A receiver that takes up to {@code maxFds} descriptors with each message. */
        public Receiver(int maxFds) {
            fds = new int[maxFds];
            // CMSG_SPACE: the kernel fills it with as many descriptors as fit, which may be more than maxFds.
            controlLength = CMSG_DATA + align8((long) maxFds * Integer.BYTES);
            control = arena.allocate(controlLength, 8);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            msg.set(ADDRESS, MSG_CONTROL, control);
        }

        /**
         * Reads up to {@code length} bytes into {@code address}, taking the descriptors that come with
         * them (the caller owns them from now on); descriptors beyond what this receiver takes are
         * closed and the receive counts as {@link #truncated}.
         *
         * @param flags {@code recvmsg}'s flags, e.g. {@link Libc#MSG_DONTWAIT} not to wait
         * @return the bytes read, 0 at end of file, or -errno
         */
        public long receive(int socket, long address, long length, int flags) {
            iov.set(JAVA_LONG, 0, address);
            iov.set(JAVA_LONG, 8, length);
            msg.set(JAVA_LONG, MSG_CONTROLLEN, controlLength);
            msg.set(JAVA_INT, MSG_FLAGS, 0);
            fdCount = 0;
            truncated = false;
            long n;
            do {
                n = recvmsg(errno, socket, msg, MSG_CMSG_CLOEXEC | flags);
            } while (n < 0 && Libc.errno(errno) == Libc.EINTR);
            if (n < 0) {
                return -Libc.errno(errno);
            }
            truncated = (msg.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0;
            if (msg.get(JAVA_LONG, MSG_CONTROLLEN) >= CMSG_DATA && control.get(JAVA_INT, CMSG_LEVEL) == Libc.SOL_SOCKET
                    && control.get(JAVA_INT, CMSG_TYPE) == SCM_RIGHTS) {
                long cmsgLength = Math.min(control.get(JAVA_LONG, 0), controlLength);
                int received = (int) ((cmsgLength - CMSG_DATA) / Integer.BYTES);
                for (int i = 0; i < received; i++) {
                    int fd = control.get(JAVA_INT, CMSG_DATA + (long) i * Integer.BYTES);
                    if (fdCount < fds.length) {
                        fds[fdCount++] = fd;
                    } else {
                        Sockets.close(fd);
                        truncated = true;
                    }
                }
            }
            return n;
        }

        /** Descriptors the last {@link #receive} took. */
        public int fdCount() {
            return fdCount;
        }

        public int fd(int index) {
            return fds[index];
        }

        /** Whether the last {@link #receive} lost descriptors for want of room. */
        public boolean truncated() {
            return truncated;
        }
    }

    /**
     * Sends {@code length} bytes at {@code data} with {@code fds} attached, waiting up to 10 s while the
     * socket is full: for a sender that may wait (tests, benchmarks), never an agent.
     *
     * @throws ErrnoException if the send fails or sends only part
     */
    public static void send(int socket, MemorySegment data, long length, int... fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment iov = arena.allocate(IOVEC_LENGTH, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, length);
            MemorySegment msg = arena.allocate(MSGHDR_LENGTH, 8);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            if (fds.length > 0) {
                long cmsgLength = CMSG_DATA + (long) fds.length * Integer.BYTES;
                MemorySegment control = arena.allocate(align8(cmsgLength), 8);
                control.set(JAVA_LONG, 0, cmsgLength);
                control.set(JAVA_INT, CMSG_LEVEL, Libc.SOL_SOCKET);
                control.set(JAVA_INT, CMSG_TYPE, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CMSG_DATA + (long) i * Integer.BYTES, fds[i]);
                }
                msg.set(ADDRESS, MSG_CONTROL, control);
                msg.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
            }
            long n;
            long deadline = System.nanoTime() + SEND_TIMEOUT_NS;
            do {
                n = sendmsg(errno, socket, msg, Libc.MSG_NOSIGNAL);
                if (n < 0 && Libc.errno(errno) == Libc.EAGAIN) {
                    LockSupport.parkNanos(50_000);
                }
            } while (n < 0 && (Libc.errno(errno) == Libc.EINTR || Libc.errno(errno) == Libc.EAGAIN)
                    && System.nanoTime() - deadline < 0);
            if (n < 0) {
                throw new ErrnoException("sendmsg", Libc.errno(errno));
            }
            if (n != length) {
                throw new ErrnoException("sendmsg: short write", Libc.EAGAIN);
            }
        }
    }

    private static long align8(long length) {
        return (length + 7) & ~7L;
    }

    private static long recvmsg(MemorySegment errno, int socket, MemorySegment msg, int flags) {
        try {
            return (long) RECVMSG.invokeExact(errno, socket, msg, flags);
        } catch (Throwable t) {
            throw Native.unexpected("recvmsg", t);
        }
    }

    private static long sendmsg(MemorySegment errno, int socket, MemorySegment msg, int flags) {
        try {
            return (long) SENDMSG.invokeExact(errno, socket, msg, flags);
        } catch (Throwable t) {
            throw Native.unexpected("sendmsg", t);
        }
    }
}
