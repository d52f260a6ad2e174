package io.vnetd.it.bench.control;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Prints the command benchmark's figures, vnetd's ratios to QEMU, and the goals against them. */
final class CommandReport {

    static final String VNETD = "vnetd";
    /** QEMU with as many monitors as clients. */
    static final String QEMU = "qemu";
    /** QEMU with 16 monitors, one client on one of them. */
    static final String QEMU_16_MONITORS = "qemu16m";

    private static final double GOAL_ONE_CLIENT_RATIO = 0.5;
    private static final double GOAL_MANY_CLIENTS_RATE = 20_000;
    private static final double GOAL_MANY_CLIENTS_P99_MS = 10;

    private CommandReport() {
    }

    /** @param all every repetition of every run */
    static void print(List<Measurement> all, String qemuVersion, String disk) {
        List<Measurement> results = quietest(all);
        System.out.printf("%n== control-plane commands: %s vs vnetd; %d s measured after %d s of warm-up; %d cores ==%n",
                qemuVersion, BenchSettings.measure().toSeconds(), BenchSettings.warmup().toSeconds(),
                Runtime.getRuntime().availableProcessors());
        System.out.println(disk);
        System.out.println("qemu: as many monitors as clients; qemu16m: 16 monitors, one client");
        System.out.printf("of %d repetitions of each run, the one the rest of the machine disturbed least (others: its cores)%n",
                BenchSettings.rounds());
        System.out.println(Measurement.header());
        for (String target : List.of(QEMU, QEMU_16_MONITORS, VNETD)) {
            results.stream().filter(m -> m.target().equals(target)).forEach(m -> System.out.println(m.row()));
        }

        System.out.printf("%n%-16s %7s %5s %10s %10s%n", "workload", "clients", "depth", "rate v/q", "p99 v/q");
        for (Measurement vnetd : results) {
            same(QEMU, vnetd, results).ifPresent(qemu -> System.out.printf("%-16s %7d %5d %10.2f %10.2f%n",
                    vnetd.workload(), vnetd.clients(), vnetd.depth(), vnetd.perSecond() / qemu.perSecond(),
                    (double) vnetd.p99() / qemu.p99()));
        }

        System.out.printf("%nGoals (from the issue): 1 client >= %.1fx QEMU; %d clients >= %.0f commands/s with p99 <= %.0f ms%n",
                GOAL_ONE_CLIENT_RATIO, CommandBenchIT.CLIENTS, GOAL_MANY_CLIENTS_RATE, GOAL_MANY_CLIENTS_P99_MS);
        for (Measurement vnetd : results) {
            if (!vnetd.target().equals(VNETD) || vnetd.depth() != 1) {
                continue;
            }
            if (vnetd.clients() == 1) {
                for (String qemuTarget : List.of(QEMU, QEMU_16_MONITORS)) {
                    same(qemuTarget, vnetd, results).ifPresent(qemu -> {
                        double ratio = vnetd.perSecond() / qemu.perSecond();
                        System.out.printf("  %-16s  1 client:  %.2fx %s: %s%n", vnetd.workload(), ratio, qemuTarget,
                                verdict(ratio >= GOAL_ONE_CLIENT_RATIO));
                    });
                }
            } else {
                System.out.printf("  %-16s %2d clients: %.0f commands/s, p99 %.2f ms: %s%n", vnetd.workload(),
                        vnetd.clients(), vnetd.perSecond(), vnetd.p99() / 1e6,
                        verdict(vnetd.perSecond() >= GOAL_MANY_CLIENTS_RATE
                                && vnetd.p99() / 1e6 <= GOAL_MANY_CLIENTS_P99_MS));
            }
        }
    }

    /** For each target, workload, clients and depth, the repetition with the least CPU used by others. */
    private static List<Measurement> quietest(List<Measurement> all) {
        Map<List<Object>, Measurement> quietest = new LinkedHashMap<>();
        for (Measurement m : all) {
            quietest.merge(List.of(m.target(), m.workload(), m.clients(), m.depth()), m,
                    (kept, next) -> next.cpu().others().compareTo(kept.cpu().others()) < 0 ? next : kept);
        }
        return List.copyOf(quietest.values());
    }

    /** The figures of {@code target} for the same workload, clients and depth as vnetd's {@code m}. */
    private static Optional<Measurement> same(String target, Measurement m, List<Measurement> results) {
        if (!m.target().equals(VNETD)) {
            return Optional.empty();
        }
        return results.stream()
                .filter(q -> q.target().equals(target) && q.workload().equals(m.workload())
                        && q.clients() == m.clients() && q.depth() == m.depth())
                .findFirst();
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }
}
