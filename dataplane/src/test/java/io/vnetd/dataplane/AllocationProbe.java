package io.vnetd.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.dataplane.backend.IoAgent;
import io.vnetd.dataplane.switching.SwitchingAgent;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the allocation counters of chosen threads and checks that a steady state allocates nothing.
 *
 * <p>One measured window is not enough on a shared machine: a C2 compile that finishes late resolves
 * its class's constants on the calling thread and allocates a few bytes once. A path that really
 * allocates does so in every window, so the check passes when one of {@link #WINDOWS} consecutive
 * windows allocates nothing on every thread, and fails with every window's figures otherwise.
 */
public final class AllocationProbe {

    /** Windows measured before the path is judged to allocate. */
    public static final int WINDOWS = 5;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Map<String, Long> threadIds;

    private AllocationProbe(Map<String, Long> threadIds) {
        assumeCounting();
        this.threadIds = threadIds;
    }

    private static void assumeCounting() {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
    }

    /** The running data plane's agent threads: the shared one, or the switching and first I/O agent's. */
    public static AllocationProbe agentThreads(ThreadingMode mode) {
        List<String> names = mode == ThreadingMode.SHARED ? List.of(DataPlane.SHARED_ROLE_NAME)
                : List.of(SwitchingAgent.ROLE_NAME, IoAgent.ROLE_NAME_PREFIX + 0);
        Map<String, Long> ids = new LinkedHashMap<>();
        Thread.getAllStackTraces().keySet().stream()
                .filter(t -> names.contains(t.getName()))
                .forEach(t -> ids.put(t.getName(), t.threadId()));
        assertEquals(names.size(), ids.size(), () -> "agent threads running: " + ids);
        return new AllocationProbe(ids);
    }

    /** Bytes allocated so far by the calling thread, for loops that measure only part of what they run. */
    public static long currentThreadAllocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Passes when one of up to {@link #WINDOWS} runs of {@code window} allocates nothing on the probed threads. */
    public void assertAWindowAllocatesNothing(Window window) throws Exception {
        long[] ids = threadIds.values().stream().mapToLong(Long::longValue).toArray();
        List<String> figures = new ArrayList<>();
        for (int i = 0; i < WINDOWS; i++) {
            long[] before = THREADS.getThreadAllocatedBytes(ids);
            window.run();
            long[] after = THREADS.getThreadAllocatedBytes(ids);
            long[] allocated = new long[ids.length];
            Arrays.setAll(allocated, t -> after[t] - before[t]);
            if (Arrays.stream(allocated).allMatch(bytes -> bytes == 0)) {
                return;
            }
            figures.add(Arrays.toString(allocated));
        }
        fail("bytes allocated by " + threadIds.keySet() + " in each of " + WINDOWS + " windows: " + figures);
    }

    /**
     * Passes when one of up to {@link #WINDOWS} runs of {@code window}, which measures for itself
     * (with {@link #currentThreadAllocatedBytes()}) and returns the bytes it saw allocated, reports none.
     */
    public static void assertAMeasuredWindowAllocatesNothing(MeasuredWindow window) throws Exception {
        assumeCounting();
        List<Long> figures = new ArrayList<>();
        for (int i = 0; i < WINDOWS; i++) {
            long allocated = window.run();
            if (allocated == 0) {
                return;
            }
            figures.add(allocated);
        }
        fail("bytes allocated in each of " + WINDOWS + " windows: " + figures);
    }

    /** Work whose allocation the probe measures on the probed threads. */
    @FunctionalInterface
    public interface Window {
        void run() throws Exception;
    }

    /** Work that measures its own allocation and returns it. */
    @FunctionalInterface
    public interface MeasuredWindow {
        long run() throws Exception;
    }
}
