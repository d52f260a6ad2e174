package io.vnetd.dataplane.bench;

import static io.vnetd.model.netclient.NetClientRef.netdev;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.backend.IoAgent;
import io.vnetd.dataplane.backend.vhostuser.Protocol;
import io.vnetd.dataplane.backend.vhostuser.VhostUserFrontend;
import io.vnetd.model.netdev.NetdevConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Frames per second and the data plane's CPU per frame through vhost-user port A, a hub, and
 * vhost-user port B, all served by the data plane's one agent thread ({@code SHARED}), with
 * {@link VhostUserFrontend}s as the two guests on the calling thread: A's driver keeps its transmit
 * ring full (frames prepared in its buffers once, 64 per burst, one kick per burst), B's driver
 * reposts every receive buffer it gets back. Both drivers poll, as DPDK's virtio PMD does, so the
 * back-end writes no call eventfd. 64-byte and 1500-byte frames, the median of the rounds; CPU is
 * the agent thread's own time divided by the frames B received. A second line runs the same with the
 * agents stepped on the calling thread between the drivers' turns (no kicks, the rings are polled):
 * its CPU per frame is everything's, drivers included, and does not count a shared machine's waits.
 * Figures only, nothing asserted.
 * Run with the JVM flags of the root pom's {@code vnetd.jvm.flags}:
 * {@code java ... io.vnetd.dataplane.bench.VhostUserBenchmark [rounds] [seconds per round]}.
 */
public final class VhostUserBenchmark {

    private static final int RING = 1024;
    private static final int BURST = 64;

    private VhostUserBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long roundNs = TimeUnit.SECONDS.toNanos(args.length > 1 ? Long.parseLong(args[1]) : 2);
        Path dir = Files.createTempDirectory("vhost-user-bench");
        try {
            try (DataPlane dp = DataPlane.launch(new DataPlane.Context())) {
                long agent = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals(DataPlane.SHARED_ROLE_NAME)).findFirst().orElseThrow().threadId();
                measure(dp, dir, "agent thread", null, agent, rounds, roundNs);
            }
            // The same path with the agents stepped on the calling thread between the drivers' turns: CPU per frame
            // of everything (both drivers included), whatever else the machine runs.
            try (DataPlane dp = DataPlane.create(new DataPlane.Context())) {
                measure(dp, dir, "one thread, drivers included", dp, Thread.currentThread().threadId(), rounds, roundNs);
            }
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void measure(DataPlane dp, Path dir, String how, DataPlane stepped, long cpuThread, int rounds,
                                long roundNs) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String id : new String[] {"a", "b"}) {
            dp.open(new NetdevConfig.VhostUserPort(id, dir.resolve(id).toString(), Optional.empty(),
                    Optional.empty(), Optional.empty()));
            dp.open(new NetdevConfig.Hubport("h" + id, 0, Optional.empty()));
            dp.connect(netdev(id), netdev("h" + id));
            dp.activate(netdev(id));
        }
        Runnable step = stepped == null ? () -> { } : () -> {
            stepped.switchingAgent().doWork();
            stepped.ioAgents().forEach(IoAgent::doWork);
        };
        try (VhostUserFrontend a = VhostUserFrontend.connect(dir.resolve("a").toString(), 1, RING);
             VhostUserFrontend b = VhostUserFrontend.connect(dir.resolve("b").toString(), 1, RING)) {
            if (stepped != null) {
                a.setUpStepped(Protocol.FEATURES, step);
                b.setUpStepped(Protocol.FEATURES, step);
            } else {
                a.setUp(Protocol.FEATURES);
                b.setUp(Protocol.FEATURES);
            }
            a.suppressCalls(1);
            b.suppressCalls(0);
            b.fillReceive(0);
            for (int length : new int[] {64, 1500}) {
                byte[] frame = new byte[length];
                Arrays.fill(frame, 0, 6, (byte) 0xff);
                frame[6] = 0x52;
                a.prepareTransmit(1, frame);
                run(a, b, length, roundNs / 2, threads, cpuThread, step, stepped != null);
                double[] rates = new double[rounds];
                double[] cpu = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    double[] figures = run(a, b, length, roundNs, threads, cpuThread, step, stepped != null);
                    rates[r] = figures[0];
                    cpu[r] = figures[1];
                }
                Arrays.sort(rates);
                Arrays.sort(cpu);
                System.out.printf("vhost-user -> hub -> vhost-user, %4d B: %6.2f M frames/s, %6.1f ns CPU per frame (%s;"
                                + " median of %d rounds of %d s)%n", length, rates[rounds / 2] / 1e6,
                        cpu[rounds / 2], how, rounds, TimeUnit.NANOSECONDS.toSeconds(roundNs));
            }
        }
        dp.close(netdev("a"));
        dp.close(netdev("b"));
    }

    /** One round: returns frames/s received at B and agent CPU ns per frame. */
    private static double[] run(VhostUserFrontend a, VhostUserFrontend b, int length, long ns, ThreadMXBean threads,
                                long agent, Runnable step, boolean stepped) {
        long received = 0;
        long cpuBefore = threads.getThreadCpuTime(agent);
        long start = System.nanoTime();
        long end = start + ns;
        long now = start;
        while (now < end) {
            if (a.transmitBurst(1, length, BURST) > 0 && !stepped) {
                a.kick(1);
            }
            step.run();
            received += b.drainReceive(0);
            now = System.nanoTime();
        }
        long cpu = threads.getThreadCpuTime(agent) - cpuBefore;
        double seconds = (now - start) / 1e9;
        return new double[] {received / seconds, received == 0 ? Double.NaN : (double) cpu / received};
    }
}
