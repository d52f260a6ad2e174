package io.vnetd.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The JDK 25 ahead-of-time cache that {@code ./vnetd} starts the daemon with ({@code ops/target/vnetd.aot}, trained by
 * {@code bin/aot-cache} for the jar), so that tests run the daemon as users do and each start costs half the CPU
 * (a suite starts over a hundred daemons). Trained once per build, under a file lock so that concurrent test JVMs
 * train it once; a training that fails leaves the daemons to start without a cache, as {@code ./vnetd} does.
 * {@code -Dvnetd.it.aot=false} runs them without it.
 */
public final class AotCache {

    /** After the cache option, this option makes the JVM ignore the cache (for a start measured without it). */
    public static final String OFF = "-XX:AOTMode=off";

    private static final long TRAINING_TIMEOUT_MINUTES = 5;
    private static volatile Optional<Path> trained;

    private AotCache() {
    }

    /** The JVM option that starts a daemon with the cache, if there is one (trained now if needed). */
    static List<String> options() {
        return usable().map(cache -> List.of("-XX:AOTCache=" + cache)).orElse(List.of());
    }

    /** The cache for the daemon's jar, trained now (as {@code ./vnetd} would) if it is missing or older than the jar. */
    public static synchronized Optional<Path> usable() {
        if (trained == null) {
            try {
                trained = Boolean.parseBoolean(System.getProperty("vnetd.it.aot", "true")) ? train() : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return trained;
    }

    private static Optional<Path> train() throws IOException, InterruptedException {
        Path jar = VnetdProcess.jar().toAbsolutePath();
        Path cache = jar.resolveSibling("vnetd.aot");
        try (FileChannel lockFile = FileChannel.open(jar.resolveSibling("vnetd.aot.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
            if (fresh(cache, jar)) {
                return Optional.of(cache);
            }
            Path script = jar.getParent().getParent().getParent().resolve("bin/aot-cache");
            System.out.println("training the daemon's AOT cache: " + script);
            Process training = new ProcessBuilder(script.toString()).inheritIO().start();
            if (!training.waitFor(TRAINING_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                training.destroyForcibly();
                System.out.println("bin/aot-cache did not finish within " + TRAINING_TIMEOUT_MINUTES
                        + " min: daemons start without a cache");
                return Optional.empty();
            }
            if (training.exitValue() != 0 || !fresh(cache, jar)) {
                System.out.println("bin/aot-cache failed (exit " + training.exitValue()
                        + "): daemons start without a cache");
                return Optional.empty();
            }
            return Optional.of(cache);
        }
    }

    private static boolean fresh(Path cache, Path jar) throws IOException {
        return Files.isRegularFile(cache)
                && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0;
    }
}
