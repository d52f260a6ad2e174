package io.vnetd.dataplane.backend.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Memory that processes share through a file passed as a descriptor (a VM's memory, which a vhost-user
 * front-end hands its back-end): mapping such a file ({@code mmap}, {@code munmap}), its size
 * ({@code fstat}), and, for those that lay out such memory themselves (tests, benchmarks),
 * {@code memfd_create}. Set-up threads and the agent's handling of control messages, not the packet path.
 */
public final class SharedMemory {

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MFD_CLOEXEC = 1;
    /** {@code struct stat} on x86-64 Linux: its size, and where {@code st_size} is. */
    private static final int STAT_LENGTH = 144;
    private static final int STAT_SIZE = 48;

    private static final MethodHandle MMAP = Native.downcall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            Native.CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = Native.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FSTAT = Native.downcall("fstat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Native.CAPTURE_ERRNO);
    private static final MethodHandle MEMFD_CREATE = Native.downcall("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Native.CAPTURE_ERRNO);
    private static final MethodHandle FTRUNCATE = Native.downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Native.CAPTURE_ERRNO);

    private SharedMemory() {
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
        } catch (Throwable t) {
            throw Native.unexpected("mmap", t);
        }
    }

    /** Unmaps what {@link #map} mapped. */
    public static void unmap(MemorySegment mapping) {
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(mapping.address(), mapping.byteSize());
        } catch (Throwable t) {
            throw Native.unexpected("munmap", t);
        }
        if (rc != 0) {
            throw new IllegalStateException("munmap failed for a mapping of " + mapping.byteSize() + " bytes");
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
        } catch (Throwable t) {
            throw Native.unexpected("fstat", t);
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
        } catch (Throwable t) {
            throw Native.unexpected("memfd_create", t);
        }
    }
}
