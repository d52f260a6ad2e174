package io.vnetd.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A vnetd daemon run as a separate process from the shaded jar, exactly as {@code ./vnetd} runs it (with the AOT
 * cache that {@code ./vnetd} trains, see {@link AotCache}).
 * Only this process is ever signalled, by its PID.
 */
public final class VnetdProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<String> SERVICE_MANAGER_VARIABLES = Set.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID");

    private final Process process;
    private final Path dataDir;
    private final String readyLine;
    private final CompletableFuture<String> stderr;

    private VnetdProcess(Process process, Path dataDir, String readyLine, CompletableFuture<String> stderr) {
        this.process = process;
        this.dataDir = dataDir;
        this.readyLine = readyLine;
        this.stderr = stderr;
    }

    /** The command line that runs the daemon with {@code args}. */
    public static List<String> command(String... args) {
        return command(List.of(), args);
    }

    private static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("vnetd.jvm.flags").trim().split("\\s+")));
        command.addAll(Arrays.asList(System.getProperty("vnetd.daemon.flags").trim().split("\\s+")));
        command.add("-Xmx256m");
        command.addAll(AotCache.options());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(Arrays.asList(args));
        return command;
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("vnetd.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the daemon jar " + jar + " is missing: build the reactor (mvn verify)");
        }
        return jar;
    }

    /** Starts a daemon on {@code dataDir} and waits for its ready line. */
    public static VnetdProcess start(Path dataDir, String... extraArgs) throws IOException {
        return startWrapped(List.of(), dataDir, extraArgs);
    }

    /**
     * Starts a daemon under {@code wrapper}, a command that execs the rest of its command line (such
     * as {@code unshare --net}, or {@code ip netns exec NAME}, to run it in a network namespace), so
     * that the process signalled is still the daemon itself.
     */
    public static VnetdProcess startWrapped(List<String> wrapper, Path dataDir, String... extraArgs) throws IOException {
        return start(wrapper, List.of(), Map.of(), dataDir, extraArgs);
    }

    /** Starts a daemon on {@code dataDir} whose JVM also gets {@code jvmOptions} (such as {@code -Dkey=value}). */
    public static VnetdProcess startWithJvmOptions(List<String> jvmOptions, Path dataDir, String... extraArgs)
            throws IOException {
        return start(List.of(), jvmOptions, Map.of(), dataDir, extraArgs);
    }

    /** Starts a daemon on {@code dataDir} with {@code environment} added to the test's own (such as {@code NOTIFY_SOCKET}). */
    public static VnetdProcess startWithEnvironment(Map<String, String> environment, Path dataDir, String... extraArgs)
            throws IOException {
        return start(List.of(), List.of(), environment, dataDir, extraArgs);
    }

    private static VnetdProcess start(List<String> wrapper, List<String> jvmOptions, Map<String, String> environment,
                                      Path dataDir, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
        args.addAll(Arrays.asList(extraArgs));
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(command(jvmOptions, args.toArray(String[]::new)));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        // Tests run under a service manager must not have their daemons notify it.
        builder.environment().keySet().removeAll(SERVICE_MANAGER_VARIABLES);
        builder.environment().putAll(environment);
        Process process = builder.start();
        // Own threads, not the common pool: on two cores it has one thread, which the stderr reader
        // would hold until the daemon exits.
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process), VnetdProcess::thread);
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                    if (line.startsWith("vnetd ready: ")) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        }, VnetdProcess::thread);
        try {
            String line = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("vnetd exited before it was ready: " + stderrOf(stderr) + log(dataDir));
            }
            return new VnetdProcess(process, dataDir, line, stderr);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("vnetd was not ready within " + READY_TIMEOUT + log(dataDir), e);
        }
    }

    private static void thread(Runnable task) {
        Thread.ofPlatform().daemon().name("vnetd-process-reader").start(task);
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String stderrOf(CompletableFuture<String> stderr) {
        try {
            return stderr.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            return "(no stderr)";
        }
    }

    private static String log(Path dataDir) {
        try {
            Path log = dataDir.resolve("vnetd.log");
            return Files.exists(log) ? "\n--- vnetd.log ---\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public String readyLine() {
        return readyLine;
    }

    public Path qmpSocket() {
        return dataDir.resolve("qmp.sock");
    }

    public long pid() {
        return process.pid();
    }

    /** {@code kill -9}: the daemon gets no chance to flush or close anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for a clean exit; returns the exit status. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("vnetd did not stop within 60 s of SIGTERM" + log(dataDir));
        }
        return process.exitValue();
    }

    /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to the daemon. */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** Waits up to {@code timeout} for the daemon to exit by itself; returns its exit status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("vnetd did not exit within " + timeout + log(dataDir));
        }
        return process.exitValue();
    }

    /** What the daemon wrote to stderr; only complete once it has exited. */
    public String stderr() {
        return stderrOf(stderr);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
