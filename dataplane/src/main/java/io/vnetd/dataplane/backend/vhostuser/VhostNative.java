package io.vnetd.dataplane.backend.vhostuser;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The C calls vhost-user needs beyond {@link Libc}: messages carrying descriptors ({@code recvmsg} and
 * {@code sendmsg} with {@code SCM_RIGHTS}), mapping the front-end's memory ({@code mmap}), and, for
 * front-ends that lay out their own memory (tests, benchmarks), {@code memfd_create} and {@code ftruncate}.
 */
public final class VhostNative {

    /** The most descriptors one vhost-user message carries ({@code VHOST_MEMORY_BASELINE_NREGIONS}). */
    public static final int MAX_FDS = 8;

    private static final long SEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSGHDR_LENGTH = 56;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int CMSG_HEADER = 16;
    private static final int CONTROL_LENGTH = CMSG_HEADER + MAX_FDS * Integer.BYTES;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MFD_CLOEXEC = 1;

    private static final MethodHandle RECVMSG = Native.downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Native.CAPTURE_ERRNO);
    private static final MethodHandle SENDMSG = Native.downcall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Native.CAPTURE_ERRNO);
    private static final MethodHandle MMAP = Native.downcall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            Native.CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = Native.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FSTAT = Native.downcall("fstat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Native.CAPTURE_ERRNO);
    /** {@code struct stat} on x86-64 Linux: its size, and where {@code st_size} is. */
    private static final int STAT_LENGTH = 144;
    private static final int STAT_SIZE = 48;
    private static final MethodHandle MEMFD_CREATE = Native.downcall("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Native.CAPTURE_ERRNO);
    private static final MethodHandle FTRUNCATE = Native.downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Native.CAPTURE_ERRNO);

    private VhostNative() {
    }

    /**
     * A receiver of messages with descriptors on one socket: its {@code msghdr}, one data vector and
     * a control buffer for {@link #MAX_FDS} descriptors, made once and reused.
     */
    public static final class Receiver {
        private final Arena arena = Arena.ofAuto();
        private final MemorySegment errno = Libc.newErrnoCell(arena);
        private final MemorySegment msg = arena.allocate(MSGHDR_LENGTH, 8);
        private final MemorySegment iov = arena.allocate(16, 8);
        private final MemorySegment control = arena.allocate(CONTROL_LENGTH, 8);
        private final int[] fds = new int[MAX_FDS];
        private int fdCount;
        private boolean truncated;

        public Receiver() {
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            msg.set(ADDRESS, MSG_CONTROL, control);
        }

        /**
         * Reads up to {@code length} bytes into {@code address} without waiting, taking the descriptors
         * that come with them (close-on-exec; the caller owns them from now on).
         *
         * @return the bytes read, 0 at end of file, or -errno
         */
        public long receive(int fd, long address, long length) {
            iov.set(JAVA_LONG, 0, address);
            iov.set(JAVA_LONG, 8, length);
            msg.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_LENGTH);
            msg.set(JAVA_INT, MSG_FLAGS, 0);
            fdCount = 0;
            long n;
            try {
                do {
                    n = (long) RECVMSG.invokeExact(errno, fd, msg, MSG_CMSG_CLOEXEC | Libc.MSG_DONTWAIT);
                } while (n < 0 && Libc.errno(errno) == Libc.EINTR);
            } catch (Throwable t) {
                throw Native.unexpected("recvmsg", t);
            }
            if (n < 0) {
                return -Libc.errno(errno);
            }
            truncated = (msg.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0;
            long controlLength = msg.get(JAVA_LONG, MSG_CONTROLLEN);
            if (controlLength >= CMSG_HEADER && control.get(JAVA_INT, 8) == Libc.SOL_SOCKET
                    && control.get(JAVA_INT, 12) == SCM_RIGHTS) {
                long cmsgLength = Math.min(control.get(JAVA_LONG, 0), CONTROL_LENGTH);
                fdCount = (int) ((cmsgLength - CMSG_HEADER) / Integer.BYTES);
                for (int i = 0; i < fdCount; i++) {
                    fds[i] = control.get(JAVA_INT, CMSG_HEADER + (long) i * Integer.BYTES);
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

        /** Whether the last {@link #receive} lost descriptors for want of room (more than {@link #MAX_FDS}). */
        public boolean truncated() {
            return truncated;
        }
    }

    /**
     * Sends {@code length} bytes at {@code data} with {@code fds} attached, waiting up to 10 s while the
     * socket is full: a front-end's call (tests, benchmarks), never the agent's.
     *
     * @throws ErrnoException if the send fails
     */
    public static void send(int socket, MemorySegment data, long length, int... fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, length);
            MemorySegment msg = arena.allocate(MSGHDR_LENGTH, 8);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            if (fds.length > 0) {
                long controlLength = CMSG_HEADER + (long) fds.length * Integer.BYTES;
                MemorySegment control = arena.allocate((controlLength + 7) & ~7L, 8);
                control.set(JAVA_LONG, 0, controlLength);
                control.set(JAVA_INT, 8, Libc.SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CMSG_HEADER + (long) i * Integer.BYTES, fds[i]);
                }
                msg.set(ADDRESS, MSG_CONTROL, control);
                msg.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
            }
            long n;
            long deadline = System.nanoTime() + SEND_TIMEOUT_NS;
            do {
                n = (long) SENDMSG.invokeExact(errno, socket, msg, Libc.MSG_NOSIGNAL);
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
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.unexpected("sendmsg", t);
        }
    }

    /**
     * Sends {@code length} bytes at {@code address} without waiting (a back-end's reply: a front-end
     * that does not read its replies must not stall the agent).
     *
     * @return the bytes sent, or -errno
     */
    public static long sendNow(int socket, long address, long length) {
        return Libc.send(socket, address, length, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
    }

    /**
     * Maps {@code length} bytes of {@code fd} from its start, shared, read and write.
     *
     * @return the mapping, of exactly {@code length} bytes
     * @throws ErrnoException if it cannot be mapped
     */
    public static MemorySegment map(int fd, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            long address = (long) MMAP.invokeExact(errno, 0L, length, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_NORESERVE, fd, 0L);
            if (address == -1L) {
                throw new ErrnoException("mmap", Libc.errno(errno));
            }
            return MemorySegment.ofAddress(address).reinterpret(length);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.unexpected("mmap", t);
        }
    }

    /**
     * The size of the file {@code fd} refers to: a mapping may not reach past it (touching such a
     * page would raise {@code SIGBUS}).
     *
     * @throws ErrnoException if {@code fstat} fails
     */
    public static long fileSize(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment stat = arena.allocate(STAT_LENGTH, 8);
            if ((int) FSTAT.invokeExact(errno, fd, stat) < 0) {
                throw new ErrnoException("fstat", Libc.errno(errno));
            }
            return stat.get(JAVA_LONG, STAT_SIZE);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.unexpected("fstat", t);
        }
    }

    /** Unmaps what {@link #map} mapped. */
    public static void unmap(MemorySegment mapping) {
        try {
            int rc = (int) MUNMAP.invokeExact(mapping.address(), mapping.byteSize());
            if (rc != 0) {
                throw new IllegalStateException("munmap failed for a mapping of " + mapping.byteSize() + " bytes");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.unexpected("munmap", t);
        }
    }

    /** An anonymous shared memory file of {@code size} bytes, close-on-exec, as a VM's memory backend makes. */
    public static int memfd(String name, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            int fd = (int) MEMFD_CREATE.invokeExact(errno, arena.allocateFrom(name), MFD_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("memfd_create", Libc.errno(errno));
            }
            if ((int) FTRUNCATE.invokeExact(errno, fd, size) < 0) {
                int error = Libc.errno(errno);
                Libc.close(errno, fd);
                throw new ErrnoException("ftruncate", error);
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.unexpected("memfd_create", t);
        }
    }
}
