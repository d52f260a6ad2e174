package io.vnetd.it.bench.control;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * The benchmarks' temporary directory (JUnit deletes it afterwards), under {@code vnetd.bench.data-root}
 * when that is set: {@code /dev/shm} puts vnetd's journal on tmpfs, where fsync costs nothing, which
 * shows what share of a command's time is the disk's.
 */
public final class BenchTempDir implements TempDirFactory {

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws Exception {
        String root = System.getProperty("vnetd.bench.data-root", "");
        return root.isBlank()
                ? Files.createTempDirectory("vnetd-bench-")
                : Files.createTempDirectory(Path.of(root), "vnetd-bench-");
    }
}
