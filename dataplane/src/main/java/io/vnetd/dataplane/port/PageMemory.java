package io.vnetd.dataplane.port;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.vnetd.model.error.NetException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory that costs resident memory only where it is used: anonymous pages mapped with
 * {@code mmap}, which the kernel provides zeroed on first touch. A port's 1 MiB ring or a stream's
 * 256 KiB buffers take a page or two while idle and grow to what the traffic writes, where memory from
 * {@code ByteBuffer.allocateDirect} or an arena is zeroed, so resident, all at once.
 *
 * <p>The mapping lives as long as the segment (or a {@code ByteBuffer} made from it with
 * {@code asByteBuffer}) is reachable and is unmapped by the garbage collector after, so a late reader or
 * writer can never touch unmapped memory. A buffer made from the segment's address alone does not keep
 * it: its owner must hold the segment.
 */
public final class PageMemory {

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final long MAP_FAILED = -1;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        Linker linker = Linker.nativeLinker();
        MMAP = linker.downcallHandle(linker.defaultLookup().findOrThrow("mmap"),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MUNMAP = linker.downcallHandle(linker.defaultLookup().findOrThrow("munmap"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    }

    private PageMemory() {
    }

    /**
     * {@code length} bytes of zeroed, page-aligned memory, unmapped once the segment is unreachable.
     *
     * @throws NetException if the kernel refuses the mapping: the command that opens the port fails,
     *                      the daemon goes on
     */
    public static MemorySegment allocate(long length) {
        long address;
        try {
            address = (long) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap failed", e);
        }
        if (address == MAP_FAILED) {
            throw NetException.generic("vnetd could not map " + length + " bytes of memory for a port"
                    + " (mmap refused: the process's memory or map count limit)");
        }
        return MemorySegment.ofAddress(address).reinterpret(length, Arena.ofAuto(), PageMemory::unmap);
    }

    private static void unmap(MemorySegment segment) {
        try {
            int unused = (int) MUNMAP.invokeExact(segment.address(), segment.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }
}
