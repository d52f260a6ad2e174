package io.vnetd.dataplane.affinity;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import org.agrona.collections.IntArrayList;

/**
 * Thread CPU affinity through libc's {@code sched_setaffinity(2)} and {@code sched_getaffinity(2)},
 * called with {@code java.lang.foreign}. Linux only; pid 0 means the calling thread, so each agent
 * pins itself from its own thread.
 */
public final class CpuAffinity {

    /** glibc's {@code CPU_SETSIZE}: CPUs a {@code cpu_set_t} can name. */
    public static final int CPU_SETSIZE = 1024;

    private static final long MASK_BYTES = CPU_SETSIZE / Byte.SIZE;

    private CpuAffinity() {
    }

    public static boolean isSupported() {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    /**
     * Restricts the calling thread to {@code cpus}.
     *
     * @throws IllegalStateException naming the CPUs, the error and the CPUs this thread may use, when
     *                               the kernel refuses (e.g. a CPU offline or outside this process's
     *                               cpuset)
     */
    public static void pinCurrentThread(int[] cpus) {
        requireSupported();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, Long.BYTES);
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= CPU_SETSIZE) {
                    throw new IllegalArgumentException("CPU " + cpu + " is outside 0.." + (CPU_SETSIZE - 1));
                }
                long word = mask.getAtIndex(JAVA_LONG, cpu / Long.SIZE);
                mask.setAtIndex(JAVA_LONG, cpu / Long.SIZE, word | 1L << cpu);
            }
            MemorySegment errnoCell = Libc.newErrnoCell(arena);
            if (Affinity.set(errnoCell, mask) != 0) {
                int errno = Libc.errno(errnoCell);
                throw new IllegalStateException("sched_setaffinity to CPUs " + Arrays.toString(cpus) + " failed: "
                        + Libc.strerror(errno) + " (errno " + errno + "); this thread may run on CPUs "
                        + Arrays.toString(currentThreadCpus()));
            }
        }
    }

    /** The CPUs the calling thread may run on. */
    public static int[] currentThreadCpus() {
        requireSupported();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, Long.BYTES);
            MemorySegment errnoCell = Libc.newErrnoCell(arena);
            if (Affinity.get(errnoCell, mask) != 0) {
                int errno = Libc.errno(errnoCell);
                throw new IllegalStateException("sched_getaffinity failed: " + Libc.strerror(errno)
                        + " (errno " + errno + ")");
            }
            IntArrayList cpus = new IntArrayList();
            for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
                if ((mask.getAtIndex(JAVA_LONG, cpu / Long.SIZE) & 1L << cpu) != 0) {
                    cpus.addInt(cpu);
                }
            }
            return cpus.toIntArray();
        }
    }

    private static void requireSupported() {
        if (!isSupported()) {
            throw new UnsupportedOperationException(
                    "CPU pinning needs Linux's sched_setaffinity; this is " + System.getProperty("os.name"));
        }
    }

    /** The two calls, bound on first use so that merely loading this class binds nothing. */
    private static final class Affinity {
        /** {@code int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)}. */
        static final MethodHandle SCHED_SETAFFINITY = Native.downcall("sched_setaffinity",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Native.CAPTURE_ERRNO);
        /** {@code int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask)}. */
        static final MethodHandle SCHED_GETAFFINITY = Native.downcall("sched_getaffinity",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Native.CAPTURE_ERRNO);

        /** {@code sched_setaffinity} of the calling thread (pid 0). */
        static int set(MemorySegment errno, MemorySegment mask) {
            try {
                return (int) SCHED_SETAFFINITY.invokeExact(errno, 0, MASK_BYTES, mask);
            } catch (Throwable t) {
                throw Native.unexpected("sched_setaffinity", t);
            }
        }

        /** {@code sched_getaffinity} of the calling thread (pid 0). */
        static int get(MemorySegment errno, MemorySegment mask) {
            try {
                return (int) SCHED_GETAFFINITY.invokeExact(errno, 0, MASK_BYTES, mask);
            } catch (Throwable t) {
                throw Native.unexpected("sched_getaffinity", t);
            }
        }
    }
}
