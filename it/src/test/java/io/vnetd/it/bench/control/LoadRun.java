package io.vnetd.it.bench.control;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs QMP clients, each on its own platform thread and connection, and measures the answers that
 * fall inside a window, and the CPU time the server and this JVM (the clients) used in it. A client
 * keeps up to {@code depth} commands in flight: 1 is how QEMU's clients work (send, wait for the
 * answer, send the next); more is pipelining.
 *
 * <p>One run per instance. Every wait is bounded: at the deadline, or as soon as one client fails,
 * every connection is closed, which ends the other clients' blocking reads.
 */
public final class LoadRun {

    private final String target;
    private final String workload;
    private final ProcessHandle server;
    private final List<Path> sockets;
    private final IntFunction<Script> scripts;
    private final int depth;
    private final List<Latencies> latencies = new ArrayList<>();
    private final Queue<LoadClient> open = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** When the last answer counted arrived, over all clients. */
    private final AtomicLong lastAnswer = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    /** @param sockets one per client, the server's QMP socket each connects to */
    public LoadRun(String target, String workload, ProcessHandle server, List<Path> sockets,
                   IntFunction<Script> scripts, int depth) {
        this.target = target;
        this.workload = workload;
        this.server = server;
        this.sockets = sockets;
        this.scripts = scripts;
        this.depth = depth;
    }

    /** Counts the answers after {@code warmup}, for {@code measure}; then the scripts wind down. */
    Measurement timed(Duration warmup, Duration measure, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long start = System.nanoTime() + warmup.toNanos();
        long end = start + measure.toNanos();
        startClients(start, end);
        sleepUntil(start);
        CpuTimes before = CpuTimes.now(server);
        sleepUntil(end);
        CpuTimes used = CpuTimes.now(server).minus(before);
        awaitClients(deadline, timeout);
        return measurement(start, end, used);
    }

    /** Counts every answer until the scripts end by themselves. */
    public Measurement untilDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CpuTimes before = CpuTimes.now(server);
        long start = System.nanoTime();
        startClients(start, Long.MAX_VALUE);
        awaitClients(deadline, timeout);
        return measurement(start, lastAnswer.get(), CpuTimes.now(server).minus(before));
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    private void startClients(long start, long end) {
        for (int i = 0; i < sockets.size(); i++) {
            Latencies mine = new Latencies();
            latencies.add(mine);
            Path socket = sockets.get(i);
            Script script = scripts.apply(i);
            threads.add(Thread.ofPlatform().daemon().name("bench-client-" + i).start(() -> client(socket, script, mine, start, end)));
        }
    }

    private void awaitClients(long deadline, Duration timeout) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        if (threads.stream().anyMatch(Thread::isAlive)) {
            closeAll();
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(5));
            }
            throw new IllegalStateException(target + " " + workload + ": clients not done within " + timeout);
        }
        if (failure.get() != null) {
            throw new IllegalStateException(target + " " + workload + " failed", failure.get());
        }
    }

    private void client(Path socket, Script script, Latencies latencies, long start, long end) {
        try (LoadClient client = LoadClient.open(socket)) {
            open.add(client);
            client.negotiate();
            long last = drive(client, script, latencies, start, end);
            lastAnswer.accumulateAndGet(last, Math::max);
        } catch (IOException | RuntimeException e) {
            if (failure.compareAndSet(null, e)) {
                closeAll();
            }
        }
    }

    /** Runs the script; returns when the last answer counted arrived. */
    private long drive(LoadClient client, Script script, Latencies latencies, long start, long end)
            throws IOException {
        long lastCounted = start;
        long[] sentAt = new long[depth]; // a ring: the send times of the commands in flight, oldest at head
        int head = 0;
        int inFlight = 0;
        boolean scriptDone = false;
        while (true) {
            while (!scriptDone && inFlight < depth) {
                byte[] command = script.next(System.nanoTime() >= end);
                if (command == null) {
                    scriptDone = true;
                } else {
                    sentAt[(head + inFlight++) % depth] = System.nanoTime();
                    client.send(command);
                }
            }
            if (inFlight == 0) {
                return lastCounted;
            }
            client.awaitReturn();
            long now = System.nanoTime();
            long sent = sentAt[head];
            head = (head + 1) % depth;
            inFlight--;
            if (sent >= start && now <= end) {
                latencies.add(now - sent);
                lastCounted = now;
            }
        }
    }

    private void closeAll() {
        for (LoadClient client : open) {
            try {
                client.close();
            } catch (IOException e) {
                // Closing is all that is wanted; the run fails anyway.
            }
        }
    }

    private Measurement measurement(long start, long end, CpuTimes used) {
        return Measurement.of(target, workload, sockets.size(), depth, Latencies.sorted(latencies),
                (end - start) / 1e9, used);
    }
}
