package io.vnetd.it.bench.scale;

import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The JDK 25 ahead-of-time cache that {@code ./vnetd} starts the daemon with ({@code ops/target/vnetd.aot}, trained by
 * {@code bin/aot-cache}), so that the benchmark measures the restart a user of {@code ./vnetd} gets beside the bare
 * JVM's. {@code vnetd.bench.scale.aot=false} measures the bare JVM only.
 */
final class AotCache {

    private static final long TRAINING_TIMEOUT_MINUTES = 5;

    private AotCache() {
    }

    /** The cache for the daemon's jar, trained now (as {@code ./vnetd} would) if it is missing or older than the jar. */
    static Optional<Path> usable() throws IOException, InterruptedException {
        if (!Boolean.parseBoolean(System.getProperty("vnetd.bench.scale.aot", "true"))) {
            return Optional.empty();
        }
        Path jar = VnetdProcess.jar().toAbsolutePath();
        Path cache = jar.resolveSibling("vnetd.aot");
        if (fresh(cache, jar)) {
            return Optional.of(cache);
        }
        Path script = jar.getParent().getParent().getParent().resolve("bin/aot-cache");
        System.out.println("training the AOT cache: " + script);
        Process training = new ProcessBuilder(script.toString()).inheritIO().start();
        if (!training.waitFor(TRAINING_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            training.destroyForcibly();
            System.out.println("bin/aot-cache did not finish within " + TRAINING_TIMEOUT_MINUTES + " min: no cache");
            return Optional.empty();
        }
        if (training.exitValue() != 0 || !fresh(cache, jar)) {
            System.out.println("bin/aot-cache failed (exit " + training.exitValue() + "): restarts measured without a cache");
            return Optional.empty();
        }
        return Optional.of(cache);
    }

    static String option(Path cache) {
        return "-XX:AOTCache=" + cache;
    }

    private static boolean fresh(Path cache, Path jar) throws IOException {
        return Files.isRegularFile(cache)
                && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0;
    }
}
