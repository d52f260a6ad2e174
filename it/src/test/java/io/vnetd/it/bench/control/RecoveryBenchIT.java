package io.vnetd.it.bench.control;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.vnetd.it.support.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How much longer a daemon takes to be ready on a journal of 10,000 entities with 100 events each
 * than on an empty data directory. The journal is the daemon's own, built through QMP by 16 clients
 * (which doubles as a long throughput run). Prints figures; asserts only that the state recovered
 * is the state written.
 */
@Tag("bench")
class RecoveryBenchIT {

    private static final int CLIENTS = 16;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(1);
    private static final double GOAL_SECONDS = 5;

    /** One start: until the ready line, and the CPU the daemon used until then. */
    private record Start(Duration wall, Duration cpu) {
    }

    @TempDir(factory = BenchTempDir.class)
    Path dir;

    @Test
    void startOnALargeJournal() throws Exception {
        JournalPlan plan = new JournalPlan(BenchSettings.recoveryEntities(), BenchSettings.recoveryEventsPerEntity(),
                CLIENTS);
        Path full = dir.resolve("full");
        Measurement build;
        try (BenchDaemon daemon = BenchDaemon.start(full, jvmOptions("build"), READY_TIMEOUT)) {
            build = new LoadRun("vnetd", "journal build", daemon.process(),
                    Collections.nCopies(CLIENTS, daemon.qmpSocket()), plan::script, 1).untilDone(BUILD_TIMEOUT);
            daemon.stop();
        }
        List<Start> emptyStarts = new ArrayList<>();
        List<Start> fullStarts = new ArrayList<>();
        // Alternated, so that a noisy neighbour on the shared machine hits both kinds alike.
        for (int i = 0; i < BenchSettings.recoveryStarts(); i++) {
            emptyStarts.add(start(dir.resolve("empty-" + i), jvmOptions("empty-" + i), null));
            fullStarts.add(start(full, jvmOptions("full-" + i), plan));
        }
        print(plan, build, bytesIn(full.resolve("journal")), emptyStarts, fullStarts, DiskProbe.describe(dir));
    }

    private static List<String> jvmOptions(String name) {
        return BenchSettings.daemonOptions("recovery-" + name);
    }

    /** Starts a daemon on {@code dataDir}, checks what it recovered against {@code plan} (if any) and stops it. */
    private static Start start(Path dataDir, List<String> jvmOptions, JournalPlan plan) throws Exception {
        try (BenchDaemon daemon = BenchDaemon.start(dataDir, jvmOptions, READY_TIMEOUT)) {
            if (plan != null) {
                String mismatch = Bounded.call(CHECK_TIMEOUT, () -> {
                    try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                        return plan.mismatch(qmp.ok("__io.vnetd_query-net-clients", null));
                    }
                });
                assertNull(mismatch, "the state recovered");
            }
            daemon.stop();
            return new Start(daemon.timeToReady(), daemon.cpuAtReady());
        }
    }

    private static long bytesIn(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            long total = 0;
            for (Path file : files.toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    private static void print(JournalPlan plan, Measurement build, long journalBytes, List<Start> emptyStarts,
                              List<Start> fullStarts, String disk) {
        System.out.printf("%n== recovery: %d hubports x %d events, %d cores ==%n", plan.entities(),
                plan.eventsPerEntity(), Runtime.getRuntime().availableProcessors());
        System.out.println(disk);
        System.out.println(Measurement.header());
        System.out.println(build.row());
        System.out.printf("journal: %d commands in %.1f s, %.1f MB on disk%n", build.commands(), build.seconds(),
                journalBytes / 1e6);
        System.out.printf("%-28s %-30s %-30s%n", "start to ready", "wall s (median)", "daemon CPU s (median)");
        System.out.printf("%-28s %-30s %-30s%n", "empty data dir", seconds(emptyStarts, Start::wall),
                seconds(emptyStarts, Start::cpu));
        System.out.printf("%-28s %-30s %-30s%n", "on the journal", seconds(fullStarts, Start::wall),
                seconds(fullStarts, Start::cpu));
        double recovery = median(fullStarts, Start::wall) - median(emptyStarts, Start::wall);
        System.out.printf("recovery (difference of the medians): %.2f s wall, %.2f s CPU; goal <= %.0f s: %s%n",
                recovery, median(fullStarts, Start::cpu) - median(emptyStarts, Start::cpu), GOAL_SECONDS,
                recovery <= GOAL_SECONDS ? "met" : "MISSED");
    }

    private static String seconds(List<Start> starts, Function<Start, Duration> part) {
        return starts.stream().map(s -> String.format("%.2f", part.apply(s).toNanos() / 1e9)).toList()
                + String.format(" (%.2f)", median(starts, part));
    }

    private static double median(List<Start> starts, Function<Start, Duration> part) {
        List<Duration> sorted = starts.stream().map(part).sorted().toList();
        return sorted.get(sorted.size() / 2).toNanos() / 1e9;
    }
}
