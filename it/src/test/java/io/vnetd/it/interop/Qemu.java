package io.vnetd.it.interop;

import io.vnetd.it.support.OwnProcesses;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU 7.2 with no guest ({@code -M none}) whose only job is to forward frames between its
 * {@code -netdev}s: hubports join them, and a machine that runs (no {@code -S}) forwards without a
 * CPU. Only this process is ever signalled, by its PID.
 */
public final class Qemu implements AutoCloseable {

    public static final String BINARY = "qemu-system-x86_64";

    private final Process process;
    private final Qmp qmp;
    private final Path log;

    private Qemu(Process process, Qmp qmp, Path log) {
        this.process = process;
        this.qmp = qmp;
        this.log = log;
    }

    /** Whether {@value #BINARY} is on the PATH. */
    public static boolean installed() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, BINARY))) {
                return true;
            }
        }
        return false;
    }

    /** The reason tests needing QEMU skip when it is missing. */
    public static String missing() {
        return BINARY + " is not installed (bin/install-test-deps installs QEMU 7.2 on Debian): interop skipped";
    }

    /**
     * Starts QEMU in {@code dir} with {@code netdevs} (each a {@code -netdev} value) and connects to
     * its QMP socket.
     */
    public static Qemu start(Path dir, List<String> netdevs) throws IOException {
        Path socket = dir.resolve("qemu-qmp.sock");
        Path log = dir.resolve("qemu.log");
        List<String> command = new ArrayList<>(List.of(BINARY, "-M", "none", "-nodefaults", "-display", "none",
                "-qmp", "unix:" + socket + ",server=on,wait=off"));
        for (String netdev : netdevs) {
            command.add("-netdev");
            command.add(netdev);
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            return new Qemu(process, Qmp.connect(socket), log);
        } catch (IOException e) {
            process.destroyForcibly();
            throw new IOException("QEMU did not start: " + Files.readString(log), e);
        }
    }

    public Qmp qmp() {
        return qmp;
    }

    public long pid() {
        return process.pid();
    }

    /** Asks QEMU to quit, then terminates it (this process only), each wait bounded. */
    @Override
    public void close() throws IOException {
        try {
            try {
                qmp.execute("quit", null);
            } catch (IOException e) {
                // It may close the connection before it answers.
            }
            qmp.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                OwnProcesses.terminate(process);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** What QEMU printed, for failure messages. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
