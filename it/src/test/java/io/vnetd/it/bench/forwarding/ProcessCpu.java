package io.vnetd.it.bench.forwarding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process (all its threads) has used, from {@code /proc/PID/stat}: user plus system. */
final class ProcessCpu {

    /** {@code sysconf(_SC_CLK_TCK)} on Linux. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name may hold spaces: fields are counted after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return (utime + stime) / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
