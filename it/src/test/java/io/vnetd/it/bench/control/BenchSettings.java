package io.vnetd.it.bench.control;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarks' knobs, as system properties (Maven passes {@code -Dkey=value} on to the tests).
 * The defaults are the runs docs/benchmarks-control.md reports.
 */
public final class BenchSettings {

    private BenchSettings() {
    }

    /** Load before each measuring window, so that the JIT and the journal's file are warm. */
    static Duration warmup() {
        return Duration.ofSeconds(Long.getLong("vnetd.bench.warmup-seconds", 5));
    }

    static Duration measure() {
        return Duration.ofSeconds(Long.getLong("vnetd.bench.measure-seconds", 10));
    }

    /**
     * Times every run of the command benchmark is repeated; the report keeps, for each, the
     * repetition that the rest of the machine disturbed least.
     */
    static int rounds() {
        return Integer.getInteger("vnetd.bench.rounds", 3);
    }

    /**
     * Whether the command benchmark measures QEMU too ({@code vnetd.bench.qemu-runs}, default true);
     * off for quicker runs of vnetd alone while working on it.
     */
    public static boolean qemuRuns() {
        return Boolean.parseBoolean(System.getProperty("vnetd.bench.qemu-runs", "true"));
    }

    public static String qemuBinary() {
        return System.getProperty("vnetd.bench.qemu", "qemu-system-x86_64");
    }

    static int recoveryEntities() {
        return Integer.getInteger("vnetd.bench.recovery.entities", 10_000);
    }

    static int recoveryEventsPerEntity() {
        return Integer.getInteger("vnetd.bench.recovery.events", 100);
    }

    /** Starts timed per data directory: the median is reported, starts vary on a shared machine. */
    static int recoveryStarts() {
        return Integer.getInteger("vnetd.bench.recovery.starts", 3);
    }

    /**
     * The journal the command benchmark's daemon writes ({@code vnetd.bench.journal}): {@code lmdb}, the
     * single node's default, or {@code postgres}, a cluster node's shared journal on a PostgreSQL the run
     * starts itself (the daemon is then a one-node cluster with every cluster setting on).
     */
    static String journal() {
        String journal = System.getProperty("vnetd.bench.journal", "lmdb");
        if (!journal.equals("lmdb") && !journal.equals("postgres")) {
            throw new IllegalArgumentException("vnetd.bench.journal must be lmdb or postgres, not '" + journal + "'");
        }
        return journal;
    }

    /** The JVM options of a daemon named {@code name}: a JFR recording if asked, then any of {@code daemon-options}. */
    public static List<String> daemonOptions(String name) {
        return withDaemonOptions(jfrOptions(name));
    }

    /**
     * {@code options} and then the JVM options of {@code vnetd.bench.daemon-options} (separated by spaces), for
     * trying a setting on every daemon of a run, e.g. {@code -Dpekko.cluster.sharding.number-of-shards=100}.
     */
    private static List<String> withDaemonOptions(List<String> options) {
        String extra = System.getProperty("vnetd.bench.daemon-options", "").strip();
        if (extra.isEmpty()) {
            return options;
        }
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of(extra.split("\\s+")));
        return all;
    }

    /**
     * JVM options that make the daemon record a JFR profile into {@code DIR/name.jfr} when
     * {@code vnetd.bench.jfr=DIR} is set (written when the daemon stops); none otherwise. The
     * recording's settings are {@code vnetd.bench.jfr-settings}: {@code profile} unless given, e.g.
     * a .jfc file with JDK 25's CPU-time sampler on, which also sees time spent in system calls.
     */
    private static List<String> jfrOptions(String name) {
        String dir = System.getProperty("vnetd.bench.jfr", "");
        if (dir.isBlank()) {
            return List.of();
        }
        return List.of("-XX:StartFlightRecording=settings=" + System.getProperty("vnetd.bench.jfr-settings", "profile")
                + ",dumponexit=true,filename=" + Path.of(dir).toAbsolutePath().resolve(name + ".jfr"));
    }
}
