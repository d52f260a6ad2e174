package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flush that fails (fsync and fdatasync made to fail with EIO by a preloaded library, as a failing disk does): the
 * write is refused, never acknowledged, later writes are refused too, and a recovery in a new process finds the
 * acknowledged write and not the refused one, although its bytes had reached the page cache.
 */
class FailedFlushTest {

    @TempDir
    Path dir;

    @Test
    void aWriteWhoseFlushFailedIsRefusedAndNotRecovered() throws Exception {
        Path library = dir.resolve("failing-fsync.so");
        Path source = Path.of(FailedFlushTest.class.getResource("/failing-fsync.c").toURI());
        int built;
        try {
            Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString(), "-ldl")
                    .inheritIO().start();
            built = gcc.waitFor(60, TimeUnit.SECONDS) ? gcc.exitValue() : -1;
        } catch (IOException noCompiler) {
            built = -1;
        }
        Assumptions.assumeTrue(built == 0, "building the fsync fault library needs gcc (bin/install-test-deps)");
        Path store = dir.resolve("store");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FailingFlushWriter.class.getName(),
                store.toString(), dir.resolve("fail-fsync").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("LD_PRELOAD", library.toString());
        builder.environment().put("VNETD_FAIL_FSYNC", dir.resolve("fail-fsync").toString());
        Process writer = builder.start();
        List<String> lines;
        try {
            lines = new String(writer.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> line.startsWith("acked ") || line.startsWith("refused ")) // not the log's lines
                    .toList();
            assertTrue(writer.waitFor(60, TimeUnit.SECONDS));
        } finally {
            writer.destroyForcibly();
        }
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("acked 1", lines.get(0));
        assertTrue(lines.get(1).startsWith("refused 2 journal log write failed in ") && lines.get(1).contains("Input/output error"),
                lines.get(1));
        assertTrue(lines.get(2).startsWith("refused 3 journal log write failed in "), "no write after a failed flush: " + lines.get(2));

        try (LmdbStore recovered = LmdbStore.acquire(TestSupport.settings(store, 64L << 20))) {
            assertEquals(1, recovered.highestSequenceNr("p"), "the acknowledged write and not the refused one");
        }
    }
}
