package io.vnetd.it.bench.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.it.interop.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ForwardingBench} as an opt-in integration test ({@code -Dvnetd.it.groups=bench}): prints
 * the figures and asserts only that every frame came back intact. Runs and seconds per run come from
 * {@code vnetd.bench.runs} (5) and {@code vnetd.bench.seconds} (3), the scenarios to run from
 * {@code vnetd.bench.only} (those whose name contains it; all by default).
 */
@Tag("bench")
class ForwardingBenchIT {

    @TempDir
    Path dir;

    @Test
    void vnetdAgainstQemu() throws IOException {
        assumeTrue(Qemu.installed(), Qemu.missing());
        ForwardingBench bench = new ForwardingBench(dir, Integer.getInteger("vnetd.bench.runs", 5),
                Duration.ofSeconds(Long.getLong("vnetd.bench.seconds", 3)), System.out);
        List<ForwardingBench.Row> rows = bench.runAll(System.getProperty("vnetd.bench.only", ""));
        bench.report(rows);
        for (ForwardingBench.Row row : rows) {
            if (row.qemu() != null) {
                assertEquals(0, row.qemu().bad(), row.scenario().name() + ": QEMU altered frames");
            }
            assertEquals(0, row.vnetd().bad(), row.scenario().name() + ": vnetd altered frames");
        }
    }
}
