package io.vnetd.it.bench.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * QEMU with no machine to speak of and one QMP monitor per client: a QEMU monitor serves one
 * client at a time, so concurrent clients need monitors of their own. Only this process is ever
 * signalled, by its PID.
 */
public final class QemuMonitors implements AutoCloseable {

    private final Process process;
    private final List<Path> sockets;

    private QemuMonitors(Process process, List<Path> sockets) {
        this.process = process;
        this.sockets = sockets;
    }

    /** Starts QEMU in {@code dir} and waits until every monitor's socket is there. */
    public static QemuMonitors start(String binary, Path dir, int monitors, Duration timeout)
            throws IOException, InterruptedException {
        List<Path> sockets = IntStream.range(0, monitors).mapToObj(i -> dir.resolve("qmp-" + i + ".sock")).toList();
        List<String> command = new ArrayList<>(List.of(binary, "-M", "none", "-nodefaults", "-display", "none", "-S"));
        for (Path socket : sockets) {
            command.add("-qmp");
            command.add("unix:" + socket + ",server=on,wait=off");
        }
        for (Path socket : sockets) {
            Files.deleteIfExists(socket); // left by an earlier QEMU: it would pass for a listening one
        }
        Path log = dir.resolve("qemu.log");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException(binary + " cannot be started (bin/install-test-deps installs QEMU): " + e.getMessage(), e);
        }
        QemuMonitors qemu = new QemuMonitors(process, sockets);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!sockets.stream().allMatch(Files::exists)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                qemu.close();
                throw new IllegalStateException("QEMU's monitors were not listening within " + timeout + ": "
                        + Files.readString(log));
            }
            Thread.sleep(10);
        }
        return qemu;
    }

    public ProcessHandle process() {
        return process.toHandle();
    }

    /** The socket of monitor {@code i}. */
    public Path socket(int i) {
        return sockets.get(i);
    }

    /** The first line of {@code binary --version}. */
    public static String version(String binary) throws IOException, InterruptedException {
        Process v = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
        if (!v.waitFor(10, TimeUnit.SECONDS)) {
            v.destroyForcibly();
        }
        return new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("?");
    }

    /** SIGTERM, then SIGKILL if it lingers. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
