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
final class BenchDaemon implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path dataDir;
    private final Duration timeToReady;
    private final Duration cpuAtReady;

    private BenchDaemon(Process process, Path dataDir, Duration timeToReady, Duration cpuAtReady) {
        this.process = process;
        this.dataDir = dataDir;
        this.timeToReady = timeToReady;
        this.cpuAtReady = cpuAtReady;
    }

    /** Starts a daemon on {@code dataDir} and waits for its ready line. */
    static BenchDaemon start(Path dataDir, List<String> jvmOptions, Duration readyTimeout) throws IOException {
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
        try {
            Ready r = ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new BenchDaemon(process, dataDir, r.after(), r.cpu());
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("vnetd was not ready within " + readyTimeout + ": " + e
                    + diagnostics(stderr, dataDir), e);
        }
    }

    /** When the ready line came, and the CPU time the daemon had used by then (all threads: JIT and GC too). */
    private record Ready(Duration after, Duration cpu) {
    }

    private static Duration cpuTime(Process process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** From the start of the process to its ready line. */
    Duration timeToReady() {
        return timeToReady;
    }

    /** CPU time the daemon had used when it printed its ready line. */
    Duration cpuAtReady() {
        return cpuAtReady;
    }

    ProcessHandle process() {
        return process.toHandle();
    }

    Path qmpSocket() {
        return dataDir.resolve("qmp.sock");
    }

    /** SIGTERM, and a bounded wait for the clean exit (which also writes a JFR recording, if any). */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            close();
            throw new IllegalStateException("vnetd did not stop within " + STOP_TIMEOUT + " of SIGTERM");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
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
