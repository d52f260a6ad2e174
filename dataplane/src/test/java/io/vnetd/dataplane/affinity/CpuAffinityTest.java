package io.vnetd.dataplane.affinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pinning through sched_setaffinity, always on a thread of the test's own, never on JUnit's. */
class CpuAffinityTest {

    @BeforeEach
    void linuxOnly() {
        assumeTrue(CpuAffinity.isSupported(), "sched_setaffinity is Linux only");
    }

    private static <T> T onNewThread(Supplier<T> task) throws InterruptedException, ExecutionException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        thread.join();
        return result.get();
    }

    @Test
    void aThreadPinnedToOneCpuMayRunOnThatCpuOnly() throws Exception {
        int[] allowed = CpuAffinity.currentThreadCpus();
        int cpu = allowed[allowed.length - 1];

        int[] after = onNewThread(() -> {
            CpuAffinity.pinCurrentThread(new int[] {cpu});
            return CpuAffinity.currentThreadCpus();
        });

        assertArrayEquals(new int[] {cpu}, after);
        assertArrayEquals(allowed, CpuAffinity.currentThreadCpus(), "the test's thread is untouched");
    }

    @Test
    void aCpuTheProcessMayNotUseIsRefusedWithTheReason() throws Exception {
        int[] allowed = CpuAffinity.currentThreadCpus();
        assumeTrue(Arrays.stream(allowed).noneMatch(cpu -> cpu == 1023));

        IllegalStateException e = onNewThread(() -> assertThrows(IllegalStateException.class,
                () -> CpuAffinity.pinCurrentThread(new int[] {1023})));

        assertEquals("sched_setaffinity to CPUs [1023] failed: Invalid argument (errno 22); this thread may run on CPUs "
                + Arrays.toString(allowed), e.getMessage());
    }

    @Test
    void aCpuOutsideACpuSetIsRefusedBeforeTheCall() {
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(new int[] {1024}));
    }
}
