package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.BenchDaemon;
import io.vnetd.it.bench.control.BenchSettings;
import io.vnetd.it.bench.control.BenchTempDir;
import io.vnetd.it.bench.control.Commands;
import io.vnetd.it.bench.control.DiskProbe;
import io.vnetd.it.bench.control.Measurement;
import io.vnetd.it.bench.control.QemuMonitors;
import io.vnetd.it.support.AotCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vnetd with 1,000, 10,000 and 100,000 net clients (issue 12), each size on a fresh daemon: the memory each kind of
 * client costs, the rate and p99 of {@code netdev_add}, {@code set_link}, {@code device_add} and {@code netdev_del}
 * there, the time of the two listings, and the start after {@code kill -9}; QEMU 7.2 beside it where QEMU can do
 * the same. Prints figures; asserts only that the restarted daemon recovered what was built.
 */
@Tag("bench")
class ScaleBenchIT {

    static final String INFO_NETWORK = "info network";
    static final String NET_CLIENTS = "__io.vnetd_query-net-clients";

    private static final String VNETD = "vnetd";
    private static final String QEMU = "qemu";
    /** vnetd builds with many clients, since one client's rate is bound by the journal's flushes. */
    private static final int VNETD_BUILD_CLIENTS = 16;
    /** QEMU's in-band queue and vnetd's {@code max-pending-requests}: more would only wait in the client. */
    private static final int BUILD_DEPTH = 8;
    /** A start on an empty data directory, or QEMU's. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** A start on the journal of the largest size. */
    private static final Duration RESTART_TIMEOUT = Duration.ofMinutes(10);
    /** How long a vnetd entity may be idle before it leaves memory (vnetd.actors.passivate-after) in these runs. */
    private static final Duration ENTITIES_IDLE = Duration.ofSeconds(5);
    /** The warm-up's commands are not reported: a fresh JVM compiles a command's path for longer than one run. */
    private static final int WARM_UP_ROUND = 1;
    private static final int MEASURED_ROUND = 2;

    /** A kind of net client, and the command that adds its {@code i}th. */
    private record Kind(String name, int count, IntFunction<byte[]> add) {
    }

    @TempDir(factory = BenchTempDir.class)
    Path dir;

    @Test
    void netClientsAtScale() throws Exception {
        String qemuSkipped = qemuSkipped();
        String qemuLine = qemuSkipped == null ? QemuMonitors.version(BenchSettings.qemuBinary())
                : "QEMU " + qemuSkipped;
        List<SizeFigures> figures = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int size : ScaleSettings.sizes()) {
            Population population = Population.of(size);
            figures.add(measured(VNETD, size, failures, () -> vnetd(population)));
            if (qemuSkipped != null) {
                figures.add(SizeFigures.skipped(QEMU, size, qemuSkipped));
            } else if (size > ScaleSettings.qemuMaxSize()) {
                figures.add(SizeFigures.skipped(QEMU, size, "skipped: above vnetd.bench.scale.qemu-max-size"));
            } else {
                figures.add(measured(QEMU, size, failures, () -> qemu(population)));
            }
        }
        ScaleReport.print(figures, String.format("== scale: vnetd and %s, %d cores ==%n%s", qemuLine,
                Runtime.getRuntime().availableProcessors(), DiskProbe.describe(dir)));
        if (!failures.isEmpty()) {
            AssertionError failed = new AssertionError(failures.size() + " runs failed (see the report)");
            failures.forEach(failed::addSuppressed);
            throw failed;
        }
    }

    /**
     * The figures of one server at one size; a run that fails (such as a size the daemon's port table cannot hold)
     * is reported as such and fails the test at the end, after the figures of the others are printed.
     */
    private static SizeFigures measured(String target, int size, List<Throwable> failures, Callable<SizeFigures> run)
            throws InterruptedException {
        try {
            return run.call();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | AssertionError e) {
            System.out.println(target + " at " + size + " failed: " + e);
            failures.add(e);
            return SizeFigures.skipped(target, size, "failed: " + AnswerTime.brief(e));
        }
    }

    /** Why QEMU is not measured, or {@code null} if it is. */
    private static String qemuSkipped() throws InterruptedException {
        if (!BenchSettings.qemuRuns()) {
            return "skipped: vnetd.bench.qemu-runs=false";
        }
        try {
            QemuMonitors.version(BenchSettings.qemuBinary());
            return null;
        } catch (IOException e) {
            return "skipped: " + BenchSettings.qemuBinary() + " is not installed (bin/install-test-deps installs it)";
        }
    }

    private SizeFigures vnetd(Population population) throws Exception {
        System.out.printf("%n== vnetd, %,d net clients: %,d hubports, %,d dgram netdevs, %,d NICs ==%n",
                population.size(), population.hubports(), population.dgrams(), population.nics());
        System.out.println(Measurement.header());
        Path data = dir.resolve("vnetd-" + population.size());
        List<String> options = daemonOptions(population.size());
        Footprint empty;
        List<Growth> growth;
        List<AnswerTime> listings;
        try (BenchDaemon daemon = BenchDaemon.start(data, options, START_TIMEOUT)) {
            Target target = new Target(VNETD, daemon.process(), i -> daemon.qmpSocket(), true, ENTITIES_IDLE.plusSeconds(2));
            empty = target.footprint();
            growth = build(target, population, empty, VNETD_BUILD_CLIENTS, true);
            listings = List.of(listing(daemon.qmpSocket(), INFO_NETWORK, Commands.hmp(INFO_NETWORK)),
                    listing(daemon.qmpSocket(), NET_CLIENTS, Commands.execute(NET_CLIENTS)));
            daemon.kill();
        }
        // A start as the bare JVM runs it, then (killed again) as ./vnetd runs it, with the AOT cache bin/aot-cache
        // trained for this jar, when there is one. Commands are measured on the last restarted daemon, so that its
        // start recovers exactly what was built.
        List<Restart> restarts = new ArrayList<>();
        boolean cached = AotCache.usable().isPresent();
        if (cached) {
            List<String> bare = new ArrayList<>(options);
            bare.add(AotCache.OFF);
            try (BenchDaemon daemon = BenchDaemon.launch(data, bare)) {
                restarts.add(Restart.measure(Restart.WITHOUT_CACHE, daemon, population, RESTART_TIMEOUT));
                daemon.kill();
            }
        }
        try (BenchDaemon daemon = BenchDaemon.launch(data, options)) {
            restarts.add(Restart.measure(cached ? Restart.WITH_CACHE : Restart.WITHOUT_CACHE, daemon, population,
                    RESTART_TIMEOUT));
            restarts.forEach(restart -> System.out.println("restart after kill -9: " + restart.describe()));
            Target target = new Target(VNETD, daemon.process(), i -> daemon.qmpSocket(), true, ENTITIES_IDLE.plusSeconds(2));
            System.out.println("(warm-up round, not reported)");
            new CommandRound(target, population, WARM_UP_ROUND, ScaleSettings.commands(), ScaleSettings.clients())
                    .measure(true);
            List<Measurement> commands = new CommandRound(target, population, MEASURED_ROUND, ScaleSettings.commands(),
                    ScaleSettings.clients()).measure(true);
            daemon.stop();
            return new SizeFigures(VNETD, population.size(), null, empty, growth, commands, listings, restarts);
        }
    }

    /**
     * The options every daemon of a size runs with, before those of {@code vnetd.bench.daemon-options} (which win).
     * vnetd gives up a start after {@code vnetd.startup-timeout} (60 s by default), which a restart on 100,000 clients
     * may need; this test bounds the start itself. The heap may grow to 4 GB, as {@code ./vnetd}'s may (a quarter of
     * the memory), where the tests' daemons have 256 MB. Entities leave memory after {@link #ENTITIES_IDLE}, not the
     * default 15 s, so that reading a footprint waits less.
     */
    private static List<String> daemonOptions(int size) {
        List<String> options = new ArrayList<>(List.of("-Dvnetd.startup-timeout=" + RESTART_TIMEOUT.toSeconds() + "s",
                "-Xmx4g", "-Dvnetd.actors.passivate-after=" + ENTITIES_IDLE.toSeconds() + "s"));
        options.addAll(BenchSettings.daemonOptions("scale-" + size));
        return options;
    }

    /**
     * QEMU ({@code -M none}, one monitor per client) with the same hubports and dgram netdevs. No NICs: without a
     * machine QEMU has no PCI bus, and {@code device_add} of virtio-net-pci fails ("No 'PCI' bus found").
     */
    private SizeFigures qemu(Population population) throws Exception {
        System.out.printf("%n== QEMU, %,d hubports and %,d dgram netdevs ==%n", population.hubports(),
                population.dgrams());
        System.out.println(Measurement.header());
        int clients = ScaleSettings.clients();
        Path qemuDir = Files.createDirectories(dir.resolve("qemu-" + population.size()));
        try (QemuMonitors qemu = QemuMonitors.start(BenchSettings.qemuBinary(), qemuDir, clients, START_TIMEOUT)) {
            Target target = new Target(QEMU, qemu.process(), qemu::socket, false, Duration.ZERO);
            Footprint empty = target.footprint();
            List<Growth> growth = build(target, population, empty, clients, false);
            List<AnswerTime> listings = List.of(listing(qemu.socket(0), INFO_NETWORK, Commands.hmp(INFO_NETWORK)));
            List<Measurement> commands = new CommandRound(target, population, MEASURED_ROUND, ScaleSettings.commands(),
                    clients).measure(false);
            return new SizeFigures(QEMU, population.size(), null, empty, growth, commands, listings, List.of());
        }
    }

    /** Builds the population one kind after the other, reading the footprint after each. */
    private static List<Growth> build(Target target, Population population, Footprint empty, int clients, boolean nics)
            throws Exception {
        List<Kind> kinds = new ArrayList<>(List.of(
                new Kind(Population.HUBPORTS, population.hubports(), population::addHubport),
                new Kind(Population.DGRAMS, population.dgrams(), population::addDgram)));
        if (nics) {
            kinds.add(new Kind(Population.NICS, population.nics(), population::addNic));
        }
        List<Growth> growth = new ArrayList<>();
        Footprint before = empty;
        System.out.printf("empty: RSS %,d KB%n", empty.rssKb());
        for (Kind kind : kinds) {
            int half = kind.count() / 2;
            Measurement first = target.run("build " + kind.name(), clients, BUILD_DEPTH, half, kind.add());
            Footprint middle = target.footprint();
            Measurement second = target.run("build " + kind.name(), clients, BUILD_DEPTH, kind.count() - half,
                    k -> kind.add().apply(half + k));
            Footprint after = target.footprint();
            growth.add(new Growth(kind.name(), first, second, before, middle, after));
            System.out.println(growth.getLast().describe());
            before = after;
        }
        return growth;
    }

    private static AnswerTime listing(Path socket, String name, byte[] command) {
        AnswerTime answer = AnswerTime.measure(socket, name, command);
        System.out.println(name + ": " + answer.describe());
        return answer;
    }
}
