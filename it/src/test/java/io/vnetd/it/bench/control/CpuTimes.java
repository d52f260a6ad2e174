package io.vnetd.it.bench.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time (user and system, all threads) of the server, of this JVM (whose main work in a run is
 * the clients) and of the whole machine. On two shared cores they compete: the server's time per
 * command is what a command costs it; the sum against the wall time shows whether a run was bound
 * by CPU; what the machine spent beyond the two is other people's work, which skews the figures.
 */
public record CpuTimes(Duration server, Duration clients, Duration machine) {

    /** Linux's USER_HZ, the unit of /proc/stat: 100 on every architecture vnetd runs on. */
    private static final long NANOS_PER_TICK = 10_000_000;

    static CpuTimes now(ProcessHandle server) {
        return new CpuTimes(cpu(server), cpu(ProcessHandle.current()), machineBusy());
    }

    CpuTimes minus(CpuTimes earlier) {
        return new CpuTimes(server.minus(earlier.server), clients.minus(earlier.clients),
                machine.minus(earlier.machine));
    }

    /** CPU time the machine spent on anything but the server and the clients. */
    public Duration others() {
        Duration others = machine.minus(server).minus(clients);
        return others.isNegative() ? Duration.ZERO : others;
    }

    private static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("no CPU time for process " + process.pid()));
    }

    /** All CPUs' busy time: user, nice, system, irq, softirq and steal (another VM's use of our cores). */
    private static Duration machineBusy() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                ticks += Long.parseLong(fields[i]);
            }
            return Duration.ofNanos(ticks * NANOS_PER_TICK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
