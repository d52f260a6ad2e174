package io.vnetd.it.bench.control;

import io.vnetd.it.interop.Ports;
import io.vnetd.it.support.PostgresServer;
import io.vnetd.it.support.VnetdCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands per second and latency of {@code set_link} and of {@code netdev_add}/{@code netdev_del}
 * pairs, from 1 and from 16 concurrent QMP clients, against QEMU 7.2 and against vnetd (every
 * command journaled and fsynced before its answer), in the same run. Prints figures; asserts none.
 */
@Tag("bench")
class CommandBenchIT {

    static final int CLIENTS = 16;
    /** QEMU's in-band queue and vnetd's {@code max-pending-requests}: more would only wait in the client. */
    private static final int PIPELINE_DEPTH = 8;
    private static final Duration SERVER_START = Duration.ofSeconds(120);

    /** A workload: the script of client {@code i}. Ids are per client, so clients never wait for each other. */
    private record Workload(String name, IntFunction<Script> script) {
    }

    private static final List<Workload> WORKLOADS = List.of(
            new Workload("set_link", i -> Script.setLinkToggles("bench-link-" + i, i)),
            new Workload("netdev_add+del", i -> Script.addDelPairs("bench-pair-" + i, i)));

    /** Clients and pipeline depth of a run. */
    private record Shape(int clients, int depth) {
    }

    private static final List<Shape> SHAPES = List.of(new Shape(1, 1), new Shape(CLIENTS, 1),
            new Shape(CLIENTS, PIPELINE_DEPTH));

    @TempDir(factory = BenchTempDir.class)
    Path dir;

    @Test
    void commandsPerSecondAgainstQemu() throws Exception {
        List<Measurement> results = new ArrayList<>();
        Path qemuDir = Files.createDirectories(dir.resolve("qemu"));
        // Some 4 M commands of about 400 bytes of journal each (events, snapshots every 100): more than the default
        // 1 GiB map holds, and the benchmark is about speed, not a full journal.
        List<String> options = new ArrayList<>(List.of("-Dvnetd.lmdb.map-size=8GiB"));
        if (BenchSettings.journal().equals("postgres")) {
            options.addAll(onePostgresNode());
        }
        options.addAll(BenchSettings.daemonOptions("commands"));
        try (BenchDaemon vnetd = BenchDaemon.start(dir.resolve("vnetd"), options, SERVER_START)) {
            warmUp(vnetd);
            // QEMU and vnetd back to back for each run, so that load from elsewhere on a shared
            // machine tends to hit both alike; the idle daemon costs QEMU's runs about 5% of a core.
            for (int round = 0; round < BenchSettings.rounds(); round++) {
                for (Workload workload : WORKLOADS) {
                    for (Shape shape : SHAPES) {
                        // As many monitors as clients: every monitor QEMU has slows down the one in use.
                        if (BenchSettings.qemuRuns()) {
                            results.add(qemu(CommandReport.QEMU, qemuDir, workload, shape, shape.clients()));
                        }
                        results.add(run(CommandReport.VNETD, workload, shape, vnetd.process(), i -> vnetd.qmpSocket()));
                    }
                    // The reference figure for one client matches a QEMU with 16 monitors: measured too.
                    if (BenchSettings.qemuRuns()) {
                        results.add(qemu(CommandReport.QEMU_16_MONITORS, qemuDir, workload, new Shape(1, 1), CLIENTS));
                    }
                }
            }
            vnetd.stop();
        }
        CommandReport.print(results, QemuMonitors.version(BenchSettings.qemuBinary()), DiskProbe.describe(dir));
    }

    /**
     * The options that make the daemon a cluster of one node (n1, its own seed) on a fresh database of the
     * run's PostgreSQL: the shared journal, remembered entities and the split-brain resolver, as every node
     * of a cluster runs them.
     */
    private static List<String> onePostgresNode() throws Exception {
        PostgresServer postgres = PostgresServer.shared();
        String journal = postgres.journalSpec(postgres.createDatabase("bench"));
        VnetdCommand init = VnetdCommand.run("journal", "init-postgres", "--journal", journal);
        if (init.status() != 0) {
            throw new IllegalStateException("init-postgres failed: " + init.err());
        }
        int port = Ports.tcp();
        return List.of("-Dvnetd.cluster.node-name=n1", "-Dvnetd.cluster.port=" + port,
                "-Dvnetd.cluster.seed-nodes.0=n1@127.0.0.1:" + port, "-Dvnetd.cluster.journal=" + journal);
    }

    private static Measurement qemu(String target, Path qemuDir, Workload workload, Shape shape, int monitors)
            throws Exception {
        try (QemuMonitors qemu = QemuMonitors.start(BenchSettings.qemuBinary(), qemuDir, monitors, SERVER_START)) {
            return run(target, workload, shape, qemu.process(), qemu::socket);
        }
    }

    /**
     * Runs every workload once, unmeasured, before the first measured run: a fresh JVM compiles
     * the paths of a command for longer than one run's warm-up lasts. QEMU is compiled already.
     */
    private static void warmUp(BenchDaemon vnetd) throws InterruptedException {
        List<Path> sockets = Collections.nCopies(CLIENTS, vnetd.qmpSocket());
        for (Workload workload : WORKLOADS) {
            new LoadRun(CommandReport.VNETD, workload.name(), vnetd.process(), sockets, workload.script(), 1)
                    .timed(BenchSettings.warmup(), Duration.ZERO, BenchSettings.warmup().plusSeconds(60));
        }
    }

    private static Measurement run(String target, Workload workload, Shape shape, ProcessHandle server,
                                   IntFunction<Path> socketOfClient) throws InterruptedException {
        List<Path> sockets = IntStream.range(0, shape.clients()).mapToObj(socketOfClient).toList();
        Duration timeout = BenchSettings.warmup().plus(BenchSettings.measure()).plusSeconds(60);
        Measurement m = new LoadRun(target, workload.name(), server, sockets, workload.script(), shape.depth())
                .timed(BenchSettings.warmup(), BenchSettings.measure(), timeout);
        System.out.println(m.row()); // progress: a full run takes minutes
        return m;
    }
}
