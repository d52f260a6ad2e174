package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.dataplane.affinity.CpuAffinity;
import io.vnetd.dataplane.backend.IoAgent;
import io.vnetd.dataplane.switching.SwitchingAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;

/** The data plane running its agent on its own thread, as the daemon does. */
class DataPlaneLifecycleTest {

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    /** A sleeping agent: these tests share two cores with everything else. */
    private DataPlane.Context context() {
        return Harness.small()
                .idleStrategySupplier(() -> new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1)))
                .errorHandler(errors::add);
    }

    @Test
    void framesFlowThroughARunningAgentAndCloseStopsIt() throws InterruptedException {
        DataPlane dp = DataPlane.launch(context());
        TestEndpoint a = new TestEndpoint(dp.attachEndpoint("a"));
        TestEndpoint b = new TestEndpoint(dp.attachEndpoint("b"));
        dp.connect(netdev("a"), netdev("b"));
        for (int i = 0; i < 100; i++) {
            assertTrue(a.send(frame(MAC_B, MAC_A, i)));
        }

        int received = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received < 100) {
            received += b.received().size();
            if (System.nanoTime() - deadline > 0) {
                fail("received " + received + " of 100 frames");
            }
            Thread.sleep(1);
        }
        dp.close();
        a.port.close();

        assertEquals(100, received);
        assertEquals(Map.of(), dp.counters());
        assertThrows(IllegalStateException.class, () -> dp.setLink(netdev("a"), false));
        assertThrows(IllegalStateException.class, () -> dp.attachEndpoint("c"));
        assertTrue(dp.switchCounters().routesCompiled() > 0);
        assertEquals(List.of(), errors);
    }

    @Test
    void aDataPlaneStartsOnce() {
        DataPlane dp = DataPlane.launch(context());
        assertThrows(IllegalStateException.class, dp::start);
        dp.close();
        dp.close();
        assertThrows(IllegalStateException.class, dp::start);
    }

    @Test
    void thePinnedAgentRunsOnTheListedCpuOnly() throws IOException {
        assumeTrue(CpuAffinity.isSupported());
        int[] allowed = CpuAffinity.currentThreadCpus();
        int cpu = allowed[allowed.length - 1];

        try (DataPlane _ = DataPlane.launch(context().agentCpus(cpu).threadingMode(ThreadingMode.DEDICATED))) {
            assertEquals(List.of(String.valueOf(cpu)), cpusOfThreadsNamed(SwitchingAgent.ROLE_NAME));
            assertEquals(List.of(String.valueOf(cpu)), cpusOfThreadsNamed(IoAgent.ROLE_NAME_PREFIX + 0));
        }
        try (DataPlane _ = DataPlane.launch(context().agentCpus(cpu).threadingMode(ThreadingMode.SHARED))) {
            assertEquals(List.of(String.valueOf(cpu)), cpusOfThreadsNamed(DataPlane.SHARED_ROLE_NAME));
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void anAgentThatCannotBePinnedFailsTheStart() {
        assumeTrue(CpuAffinity.isSupported());
        assumeTrue(Arrays.stream(CpuAffinity.currentThreadCpus()).noneMatch(cpu -> cpu == 1023));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DataPlane.launch(context().agentCpus(1023)));

        assertTrue(e.getMessage().startsWith("sched_setaffinity to CPUs [1023] failed"), e.getMessage());
        assertEquals(List.of(e), errors);
    }

    /** The {@code Cpus_allowed_list} of each thread of this process with that name. */
    private static List<String> cpusOfThreadsNamed(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> read(task.resolve("comm")).strip().equals(name))
                    .map(task -> read(task.resolve("status")).lines()
                            .filter(line -> line.startsWith("Cpus_allowed_list:"))
                            .map(line -> line.substring("Cpus_allowed_list:".length()).strip())
                            .findFirst().orElseThrow())
                    .toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
