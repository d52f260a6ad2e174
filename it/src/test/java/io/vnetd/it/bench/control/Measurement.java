package io.vnetd.it.bench.control;

import java.time.Duration;

/**
 * What one run measured: commands answered inside the measuring window, over its length; their
 * latency (send to answer, as the client sees it) in nanoseconds; the CPU time used meanwhile.
 */
public record Measurement(String target, String workload, int clients, int depth, long commands, double seconds,
                          long p50, long p99, long p999, long max, CpuTimes cpu) {

    static Measurement of(String target, String workload, int clients, int depth, long[] sortedLatencies,
                          double seconds, CpuTimes cpu) {
        return new Measurement(target, workload, clients, depth, sortedLatencies.length, seconds,
                Latencies.percentile(sortedLatencies, 50), Latencies.percentile(sortedLatencies, 99),
                Latencies.percentile(sortedLatencies, 99.9), Latencies.percentile(sortedLatencies, 100), cpu);
    }

    public double perSecond() {
        return commands / seconds;
    }

    public static String header() {
        return String.format("%-7s %-16s %7s %5s %9s %9s %7s %7s %8s %7s %10s %10s %8s %7s",
                "target", "workload", "clients", "depth", "commands", "cmds/s", "p50 ms", "p99 ms", "p99.9 ms",
                "max ms", "srv us/cmd", "cli us/cmd", "srv+cli", "others");
    }

    /**
     * The CPU columns: microseconds of CPU per command, of the server and of the client JVM; the
     * cores both kept busy together, and the cores the rest of the machine kept busy.
     */
    public String row() {
        return String.format("%-7s %-16s %7d %5d %9d %9.0f %7.3f %7.3f %8.3f %7.2f %10.1f %10.1f %8.2f %7.2f",
                target, workload, clients, depth, commands, perSecond(), ms(p50), ms(p99), ms(p999), ms(max),
                perCommand(cpu.server()), perCommand(cpu.clients()), cores(cpu.server().plus(cpu.clients())),
                cores(cpu.others()));
    }

    private double perCommand(Duration cpuTime) {
        return commands == 0 ? 0 : cpuTime.toNanos() / 1e3 / commands;
    }

    private double cores(Duration cpuTime) {
        return cpuTime.toNanos() / 1e9 / seconds;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
