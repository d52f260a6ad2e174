package io.vnetd.it.bench.control;

import io.vnetd.it.support.VnetdProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A vnetd daemon for the benchmarks: {@link VnetdProcess}'s command line (the same jar, JVM flags and
 * heap) with JVM options VnetdProcess cannot pass (a larger port table, a JFR recording), and the
 * time from the process's start to its ready line, which vnetd prints only once every entity has
 * recovered. Only this process is ever signalled, by its PID.
 */
public final class BenchDaemon implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path dataDir;
    private final Path stderr;
    private final long startedAt;
    private final CompletableFuture<Ready> ready;

    private BenchDaemon(Process process, Path dataDir, Path stderr, long startedAt, CompletableFuture<Ready> ready) {
        this.process = process;
        this.dataDir = dataDir;
        this.stderr = stderr;
        this.startedAt = startedAt;
        this.ready = ready;
    }

    /** Starts a daemon on {@code dataDir} and waits for its ready line. */
    public static BenchDaemon start(Path dataDir, List<String> jvmOptions, Duration readyTimeout) throws IOException {
        BenchDaemon daemon = launch(dataDir, jvmOptions);
        daemon.awaitReady(readyTimeout);
        return daemon;
    }

    /**
     * Starts a daemon on {@code dataDir} and returns at once, so that the caller can time what it sees of the
     * start itself (such as the first QMP answer) against {@link #startedAt()}; {@link #awaitReady} comes next.
     */
    public static BenchDaemon launch(Path dataDir, List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(VnetdProcess.command("--data-dir", dataDir.toString()));
        // Before -jar, and after VnetdProcess's own options, so that ours win where they overlap.
        command.addAll(command.indexOf("-jar"), jvmOptions);
        Path stderr = dataDir.resolveSibling(dataDir.getFileName() + "-stderr.txt");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(stderr.toFile())
                .start();
        CompletableFuture<Ready> ready = new CompletableFuture<>();
        // Reads stdout to its end, so that the daemon never blocks on a full pipe.
        Thread.ofPlatform().daemon().name("bench-daemon-stdout").start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("vnetd ready: ")) {
                        ready.complete(new Ready(Duration.ofNanos(System.nanoTime() - started), cpuTime(process)));
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IOException("vnetd exited before it was ready"));
        });
        return new BenchDaemon(process, dataDir, stderr, started, ready);
    }

    /** Waits for the ready line; kills the daemon if it does not come within {@code timeout}. */
    public void awaitReady(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("vnetd was not ready within " + timeout + ": " + e
                    + diagnostics(stderr, dataDir), e);
        }
    }

    /** When the ready line came, and the CPU time the daemon had used by then (all threads: JIT and GC too). */
    private record Ready(Duration after, Duration cpu) {
    }

    private static Duration cpuTime(Process process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** From the start of the process to its ready line (once {@link #awaitReady} has returned). */
    public Duration timeToReady() {
        return ready.join().after();
    }

    /** CPU time the daemon had used when it printed its ready line (once {@link #awaitReady} has returned). */
    public Duration cpuAtReady() {
        return ready.join().cpu();
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startedAt() {
        return startedAt;
    }

    public ProcessHandle process() {
        return process.toHandle();
    }

    public Path qmpSocket() {
        return dataDir.resolve("qmp.sock");
    }

    /** SIGTERM, and a bounded wait for the clean exit (which also writes a JFR recording, if any). */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            close();
            throw new IllegalStateException("vnetd did not stop within " + STOP_TIMEOUT + " of SIGTERM");
        }
    }

    /** SIGKILL, as {@code kill -9 PID}: the daemon gets no chance to flush or close anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("vnetd " + process.pid() + " still runs 30 s after SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private static String diagnostics(Path stderr, Path dataDir) {
        return tail("stderr", stderr) + tail("vnetd.log", dataDir.resolve("vnetd.log"));
    }

    private static String tail(String title, Path file) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            List<String> lines = Files.readAllLines(file);
            return "\n--- " + title + " (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
