package io.vnetd.dataplane.backend.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A descriptor passed over a UNIX stream socket pair ({@code SCM_RIGHTS}), as QEMU receives the tap
 * that {@code qemu-bridge-helper} opened ({@code recv_fd} in {@code net/tap.c}): one byte of data
 * with one descriptor attached. Set-up threads only; the receive blocks, as QEMU's does.
 */
public final class ScmRights {

    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /** {@code struct msghdr} on LP64 Linux. */
    private static final int MSGHDR_LENGTH = 56;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    /** {@code struct cmsghdr}: {@code size_t cmsg_len}, {@code int cmsg_level}, {@code int cmsg_type}, data. */
    private static final int CMSG_LEVEL = 8;
    private static final int CMSG_TYPE = 12;
    private static final int CMSG_DATA = 16;
    /** {@code CMSG_SPACE(sizeof(int))}. */
    private static final int CMSG_SPACE_INT = 24;

    private static final MethodHandle RECVMSG = Native.downcall("recvmsg",
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
     * Waits for a message on {@code socket} and takes the descriptor it carries, close-on-exec.
     *
     * @return the descriptor, or -1 if the peer closed its end without sending one (or the call failed)
     */
    public static int receive(int socket) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment data = arena.allocate(1);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, 1);
            MemorySegment control = arena.allocate(CMSG_SPACE_INT, 8);
            MemorySegment msg = arena.allocate(MSGHDR_LENGTH, 8);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            msg.set(ADDRESS, MSG_CONTROL, control);
            msg.set(JAVA_LONG, MSG_CONTROLLEN, CMSG_SPACE_INT);
            long n;
            do {
                n = (long) RECVMSG.invokeExact(errno, socket, msg, MSG_CMSG_CLOEXEC);
            } while (n < 0 && Libc.errno(errno) == Libc.EINTR);
            boolean carriesFd = n > 0
                    && msg.get(JAVA_LONG, MSG_CONTROLLEN) >= CMSG_DATA + 4
                    && control.get(ValueLayout.JAVA_INT, CMSG_LEVEL) == Libc.SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, CMSG_TYPE) == SCM_RIGHTS;
            return carriesFd ? control.get(JAVA_INT, CMSG_DATA) : -1;
        } catch (Throwable t) {
            throw Native.unexpected("recvmsg", t);
        }
    }
}
