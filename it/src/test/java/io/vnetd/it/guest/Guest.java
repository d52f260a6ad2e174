package io.vnetd.it.guest;

import io.vnetd.it.interop.Qemu;
import io.vnetd.it.support.OwnProcesses;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux guest of the {@link GuestKit} under QEMU 7.2 (TCG: this machine's KVM cannot run guests),
 * its NIC attached as the test says. The kernel's console (ttyS0) goes to a file; the test drives
 * the guest's command loop on ttyS1 through a UNIX socket that QEMU serves and waits on before the
 * guest starts, so nothing the guest prints is lost. Every wait is bounded; only this QEMU process is
 * ever signalled, by its PID.
 */
final class Guest implements AutoCloseable {

    /** What a command printed and its exit status ({@code 137} when the guest's timeout killed it). */
    record Result(int status, String output) {
        boolean ok() {
            return status == 0;
        }
    }

    /** A boot takes ~9 s with a core to itself; the suite shares two cores with other work. */
    static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration CONTROL_SOCKET = Duration.ofSeconds(30);
    /** Beyond a command's own time limit, which the guest enforces, for a guest slowed by a busy host. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(30);
    private static final String READY = "vnetd-guest ready\n";
    private static final int TRANSCRIPT_TAIL = 16_000;

    private final String name;
    private final Process process;
    private final Path console;
    private final Path qemuOutput;
    private final SocketChannel control;
    private final StringBuilder transcript = new StringBuilder();
    private boolean controlClosed;
    private int nextSequence;

    private Guest(String name, Process process, Path console, Path qemuOutput, SocketChannel control) {
        this.name = name;
        this.process = process;
        this.console = console;
        this.qemuOutput = qemuOutput;
        this.control = control;
    }

    /**
     * Starts a guest named {@code name} in a directory of its own under {@code dir}, with eth0 at
     * {@code cidr} (such as {@code 198.18.225.1/24}) and a NIC attached by {@code attachment} through
     * {@code socket}; returns once its command port is connected, while it boots ({@link #awaitReady}).
     */
    static Guest start(GuestKit kit, Path dir, String name, String cidr, String mac, Attachment attachment, Path socket)
            throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve(name));
        Path console = home.resolve("console.log");
        Path qemuOutput = home.resolve("qemu.log");
        Path controlSocket = home.resolve("control.sock");
        List<String> command = new ArrayList<>(List.of(Qemu.BINARY,
                "-nodefaults", "-no-user-config", "-display", "none", "-accel", "tcg", "-smp", "1", "-no-reboot",
                "-name", "vnetd-guest-" + name,
                "-kernel", kit.kernel().toString(), "-initrd", kit.initramfs().toString(),
                "-append", "console=ttyS0 loglevel=4 panic=-1 vnetd.ip=" + cidr,
                "-chardev", "file,id=console,path=" + console, "-serial", "chardev:console",
                // Before the NIC's chardev: QEMU waits here for the test, then creates the NIC.
                "-chardev", "socket,id=control,path=" + controlSocket + ",server=on,wait=on", "-serial", "chardev:control"));
        command.addAll(attachment.qemuArguments(socket, mac));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(qemuOutput.toFile()).start();
        SocketChannel control = null;
        try {
            control = connect(controlSocket, process);
        } finally {
            if (control == null) {
                OwnProcesses.terminate(process);
            }
        }
        Guest guest = new Guest(name, process, console, qemuOutput, control);
        Thread.ofPlatform().daemon().name("guest-" + name + "-control").start(guest::readControl);
        return guest;
    }

    private static SocketChannel connect(Path socket, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CONTROL_SOCKET.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    return channel;
                } catch (IOException e) {
                    channel.close();
                }
            }
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                throw new IOException("QEMU " + (process.isAlive() ? "did not open " + socket + " within " + CONTROL_SOCKET
                        : "exited (status " + process.exitValue() + ")") + " before the guest could be driven");
            }
            Thread.sleep(50);
        }
    }

    private void readControl() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            while (control.read(buffer.clear()) >= 0) {
                synchronized (transcript) {
                    transcript.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
                    transcript.notifyAll();
                }
            }
        } catch (IOException e) {
            // The channel closed: the guest went, or the test closed it.
        }
        synchronized (transcript) {
            controlClosed = true;
            transcript.notifyAll();
        }
    }

    String name() {
        return name;
    }

    /** Waits until the guest has loaded its NIC's drivers, configured eth0 and serves commands. */
    void awaitReady() throws InterruptedException {
        if (await(Pattern.compile(Pattern.quote(READY)), 0, BOOT) == null) {
            throw new AssertionError("guest " + name + " was not ready within " + BOOT + "\n" + diagnostics());
        }
    }

    /**
     * Runs {@code command} (one line of busybox sh) in the guest for at most {@code limit}, the guest
     * killing it then; fails if no answer comes within that and a margin.
     */
    Result run(String command, Duration limit) throws IOException, InterruptedException {
        if (command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line only: " + command);
        }
        int sequence = ++nextSequence;
        long seconds = Math.max(1, limit.toSeconds());
        int from;
        synchronized (transcript) {
            from = transcript.length();
        }
        ByteBuffer line = ByteBuffer.wrap((sequence + " " + seconds + " " + command + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            control.write(line);
        }
        Pattern end = Pattern.compile("\n@@vnetd-guest " + sequence + " (\\d+)@@\n");
        Duration wait = Duration.ofSeconds(seconds).plus(ANSWER_MARGIN);
        Answer answer = await(end, from, wait);
        if (answer == null) {
            throw new AssertionError("guest " + name + " did not answer `" + command + "` within " + wait + "\n" + diagnostics());
        }
        return new Result(Integer.parseInt(answer.matcher.group(1)), answer.text.substring(from, answer.matcher.start()).strip());
    }

    private record Answer(String text, Matcher matcher) {
    }

    private Answer await(Pattern pattern, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (transcript) {
            while (true) {
                String text = transcript.toString();
                Matcher matcher = pattern.matcher(text);
                if (matcher.find(from)) {
                    return new Answer(text, matcher);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || controlClosed) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(transcript, left);
            }
        }
    }

    /** The guest's console, QEMU's own output and the end of the command transcript, for a failure's report. */
    String diagnostics() {
        String tail;
        synchronized (transcript) {
            tail = transcript.substring(Math.max(0, transcript.length() - TRANSCRIPT_TAIL));
        }
        return "--- guest " + name + ": console (ttyS0) ---\n" + read(console)
                + "\n--- guest " + name + ": QEMU (pid " + process.pid() + (process.isAlive() ? ", running" : ", exited") + ") ---\n"
                + read(qemuOutput)
                + "\n--- guest " + name + ": commands (ttyS1) ---\n" + tail;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws IOException {
        control.close();
        OwnProcesses.terminate(process);
    }
}
