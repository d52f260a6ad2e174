package io.vnetd.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaks: against one daemon, cycles of {@code netdev_add}/{@code netdev_del} of stream (server and client), dgram and
 * tap netdevs and of {@code device_add}/{@code device_del} of NICs with and without a guest side (a tap); after a
 * warm-up round and at the end the daemon's open descriptors, threads and heap in use after a full GC are measured.
 * Descriptors and threads must be back at their start level exactly; the heap within {@link #HEAP_GROWTH_KB}.
 */
@Tag("reliability")
class LeakCyclesIT {

    /** Taps and guest sides made here are named so; removed after the test whatever happened. */
    private static final String TAP = "vtleak0";
    private static final String GUEST = "vtleakg0";
    private static final int WAIT_SECONDS = 20;
    /**
     * The heap may grow this much between the two measurements: a full GC's used heap moves by a few MiB from one
     * call to the next with what the actors, Pekko's dispatcher queues and the JIT's caches hold at that moment, while
     * a leak of the smallest thing a cycle makes (a net client's entity, some hundreds of bytes) over the short
     * run's 6,000 cycles is at least as much, and over the soak's 60,000 ten times that.
     */
    private static final long HEAP_GROWTH_KB = 8 * 1024;
    private static final Pattern THREADS = Pattern.compile("(?m)^Threads:\\s+(\\d+)$");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    @TempDir
    Path dataDir;

    @AfterEach
    void removeInterfaces() throws InterruptedException {
        for (String ifname : List.of(TAP, GUEST)) {
            if (Files.exists(Path.of("/sys/class/net", ifname))) {
                run("ip", "link", "delete", ifname);
            }
        }
    }

    /** What a daemon holds: its open descriptors, its threads and its heap in use after a full GC (KB). */
    private record Holdings(long descriptors, long threads, long heapKb) {

        static Holdings of(long pid) throws IOException, InterruptedException {
            jcmd(pid, "GC.run");
            Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
            if (!used.find()) {
                throw new IllegalStateException("no heap in use in jcmd " + pid + " GC.heap_info");
            }
            return new Holdings(LeakCyclesIT.descriptors(pid), LeakCyclesIT.threads(pid), Long.parseLong(used.group(1)));
        }

        @Override
        public String toString() {
            return "descriptors " + descriptors + ", threads " + threads + ", heap after GC " + heapKb / 1024 + " MiB";
        }
    }

    /** One kind of cycle: what it adds and then deletes, and what it waits for in between. */
    private interface Cycle {
        void run(QmpClient qmp, int n) throws Exception;
    }

    @Test
    void streamDgramAndNicCyclesLeaveDescriptorsThreadsAndHeapWhereTheyWere() throws Exception {
        cycle(false);
    }

    @Test
    void tapAndGuestSideCyclesLeaveDescriptorsThreadsAndHeapWhereTheyWere() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/net/tun")), "tap netdevs and guest sides need root and /dev/net/tun");
        assumeTrue(run("ip", "link", "show", "lo"), "needs iproute2 to remove what a failed run leaves (bin/install-test-deps)");
        cycle(true);
    }

    /** Runs each kind's cycles on one daemon, between the two measurements, and checks them. */
    private void cycle(boolean taps) throws Exception {
        int cycles = Soak.size(1_000, 10_000);
        String test = taps ? "leak-cycles-tap" : "leak-cycles";
        List<String> kinds = new ArrayList<>();
        List<Cycle> work = new ArrayList<>();
        try (ServerSocketChannel peer = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 64);
             VnetdProcess daemon = VnetdProcess.start(dataDir);
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            int peerPort = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            Thread acceptor = Thread.ofPlatform().daemon().name("leak-stream-peer").start(() -> acceptAndClose(peer));
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"nicport\",\"hubid\":0}");
            if (taps) {
                kinds.add("tap");
                work.add((q, n) -> {
                    q.ok("netdev_add", "{\"type\":\"tap\",\"id\":\"tp\",\"ifname\":\"" + TAP
                            + "\",\"script\":\"no\",\"downscript\":\"no\"}");
                    await(() -> interfaceExists(TAP), "netdev_add made tap " + TAP + " (cycle " + n + ")");
                    q.ok("netdev_del", "{\"id\":\"tp\"}");
                    await(() -> !interfaceExists(TAP), "netdev_del removed tap " + TAP + " (cycle " + n + ")");
                });
                kinds.add("NIC with guest side");
                work.add((q, n) -> {
                    q.ok("device_add", "{\"driver\":\"virtio-net-pci\",\"id\":\"gnic\",\"netdev\":\"nicport\","
                            + "\"__io.vnetd_guest\":\"tap:" + GUEST + "\"}");
                    await(() -> interfaceExists(GUEST), "device_add made guest side " + GUEST + " (cycle " + n + ")");
                    q.ok("device_del", "{\"id\":\"gnic\"}");
                    await(() -> !interfaceExists(GUEST), "device_del removed guest side " + GUEST + " (cycle " + n + ")");
                });
            } else {
                kinds.add("stream server");
                work.add((q, n) -> {
                    q.ok("netdev_add", "{\"type\":\"stream\",\"id\":\"ss\",\"server\":true,"
                            + "\"addr\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"0\"}}");
                    q.ok("netdev_del", "{\"id\":\"ss\"}");
                });
                kinds.add("stream client");
                work.add((q, n) -> {
                    q.ok("netdev_add", "{\"type\":\"stream\",\"id\":\"sc\",\"server\":false,"
                            + "\"addr\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + peerPort + "\"}}");
                    q.ok("netdev_del", "{\"id\":\"sc\"}");
                });
                kinds.add("dgram");
                work.add((q, n) -> {
                    q.ok("netdev_add", "{\"type\":\"dgram\",\"id\":\"dg\","
                            + "\"local\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"0\"},"
                            + "\"remote\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"9\"}}");
                    q.ok("netdev_del", "{\"id\":\"dg\"}");
                });
                kinds.add("NIC");
                work.add((q, n) -> {
                    q.ok("device_add", "{\"driver\":\"virtio-net-pci\",\"id\":\"nic\",\"netdev\":\"nicport\"}");
                    q.ok("device_del", "{\"id\":\"nic\"}");
                });
            }

            for (Cycle warmUp : work) {
                warmUp.run(qmp, -1);
            }
            Holdings start = settle(daemon.pid(), null);
            long began = System.nanoTime();
            for (int k = 0; k < work.size(); k++) {
                long kindBegan = System.nanoTime();
                for (int n = 0; n < cycles; n++) {
                    work.get(k).run(qmp, n);
                }
                Soak.print(test, kinds.get(k) + ": " + cycles + " add/del cycles in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - kindBegan) + " ms");
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            Holdings end = settle(daemon.pid(), start);
            acceptor.interrupt();
            Soak.print(test, "cycles " + cycles + " of each of " + String.join(", ", kinds) + " in " + tookMs
                    + " ms; start: " + start + "; end: " + end);
            assertEquals(start.descriptors(), end.descriptors(), "open descriptors after the cycles: " + start + " / " + end);
            // The JVM ends idle threads of its own (compiler threads are dynamic, pools shrink): fewer is no leak.
            assertTrue(end.threads() <= start.threads(), "threads after the cycles: " + start + " / " + end);
            assertTrue(end.heapKb() - start.heapKb() <= HEAP_GROWTH_KB,
                    "the heap after a full GC grew more than " + HEAP_GROWTH_KB / 1024 + " MiB: " + start + " / " + end);
        }
    }

    /**
     * The daemon's holdings once what it closes after an answer (a connection's reader, a tap's descriptor) is
     * closed: waits up to {@link #WAIT_SECONDS} for descriptors and threads to reach {@code target}'s, or, without
     * one, to stay the same for a second.
     */
    private static Holdings settle(long pid, Holdings target) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        long fds = descriptors(pid);
        long threads = threads(pid);
        long steadySince = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            if (target != null && fds == target.descriptors() && threads <= target.threads()) {
                break;
            }
            if (target == null && System.nanoTime() - steadySince > TimeUnit.SECONDS.toNanos(1)) {
                break;
            }
            Thread.sleep(50);
            long nowFds = descriptors(pid);
            long nowThreads = threads(pid);
            if (nowFds != fds || nowThreads != threads) {
                steadySince = System.nanoTime();
            }
            fds = nowFds;
            threads = nowThreads;
        }
        return Holdings.of(pid);
    }

    /**
     * The stream clients' peer: holds each connection until the next one comes (the cycle's client was deleted by
     * then), so that it is the daemon's {@code netdev_del} that closes the daemon's end.
     */
    private static void acceptAndClose(ServerSocketChannel peer) {
        SocketChannel held = null;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                SocketChannel connection = peer.accept();
                if (held != null) {
                    held.close();
                }
                held = connection;
            }
        } catch (IOException closed) {
            // The test is over: the channel was closed or this thread interrupted.
        } finally {
            if (held != null) {
                try {
                    held.close();
                } catch (IOException ignored) {
                    // Nothing more to do with a connection that is going anyway.
                }
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(1);
        }
    }

    private static boolean interfaceExists(String ifname) {
        return Files.exists(Path.of("/sys/class/net", ifname));
    }

    private static long descriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    private static long threads(long pid) throws IOException {
        Matcher threads = THREADS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        if (!threads.find()) {
            throw new IllegalStateException("no Threads in /proc/" + pid + "/status");
        }
        return Long.parseLong(threads.group(1));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd " + pid + " " + command + " took over 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }

    private static boolean run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            p.getInputStream().readAllBytes();
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
