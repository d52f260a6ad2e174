package io.vnetd.dataplane.affinity;

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
            MemorySegment state = arena.allocate(Libc.CAPTURED_STATE);
            int rc = (int) Libc.SCHED_SETAFFINITY.invokeExact(state, 0, MASK_BYTES, mask);
            if (rc != 0) {
                int errno = (int) Libc.ERRNO.get(state, 0L);
                throw new IllegalStateException("sched_setaffinity to CPUs " + Arrays.toString(cpus) + " failed: "
                        + Libc.strerror(errno) + " (errno " + errno + "); this thread may run on CPUs "
                        + Arrays.toString(currentThreadCpus()));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setaffinity could not be called", t);
        }
    }

    /** The CPUs the calling thread may run on. */
    public static int[] currentThreadCpus() {
        requireSupported();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, Long.BYTES);
            MemorySegment state = arena.allocate(Libc.CAPTURED_STATE);
            int rc = (int) Libc.SCHED_GETAFFINITY.invokeExact(state, 0, MASK_BYTES, mask);
            if (rc != 0) {
                int errno = (int) Libc.ERRNO.get(state, 0L);
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
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_getaffinity could not be called", t);
        }
    }

    private static void requireSupported() {
        if (!isSupported()) {
            throw new UnsupportedOperationException(
                    "CPU pinning needs Linux's sched_setaffinity; this is " + System.getProperty("os.name"));
        }
    }

    /** The libc functions, bound on first use so that merely loading this class binds nothing. */
    private static final class Libc {
        static final StructLayout CAPTURED_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURED_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        /** {@code int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)}. */
        static final MethodHandle SCHED_SETAFFINITY = downcall("sched_setaffinity", true,
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
        /** {@code int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask)}. */
        static final MethodHandle SCHED_GETAFFINITY = downcall("sched_getaffinity", true,
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
        /** {@code char *strerror(int errnum)}. */
        static final MethodHandle STRERROR = downcall("strerror", false, FunctionDescriptor.of(ADDRESS, JAVA_INT));

        private static MethodHandle downcall(String name, boolean captureErrno, FunctionDescriptor descriptor) {
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
            return captureErrno
                    ? linker.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"))
                    : linker.downcallHandle(symbol, descriptor);
        }

        static String strerror(int errno) throws Throwable {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            return message.reinterpret(Long.MAX_VALUE).getString(0);
        }
    }
}
