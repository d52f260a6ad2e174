package io.vnetd.dataplane.bench;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.link.ClusterLink;
import io.vnetd.model.port.LinkCounters;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames per second across a hub spanning two data planes joined by their cluster links, against raw
 * Aeron messages of the same length (plus the 4-byte hub id) between the same two embedded media
 * drivers, in the same run: 64-byte and 1500-byte frames, the median of the rounds.
 *
 * <p>Everything but the media drivers runs on the calling thread: offer a burst of 64 frames while
 * fewer than a window (256 KiB of messages) are in flight, then one duty cycle of each agent (A's
 * switch and link, B's link and switch) and drain the receiving port; the raw side offers and polls
 * the same way (64 fragments per poll, as the link agent). Both drop what the publication refuses
 * (the link by design, the raw sender as well), and the window keeps that low, so the lines compare
 * what the link costs on top of Aeron. Figures only, nothing asserted.
 * Run with the JVM flags of the root pom's {@code vnetd.jvm.flags}:
 * {@code java ... io.vnetd.dataplane.bench.ClusterLinkBenchmark [rounds] [seconds per round]}.
 */
public final class ClusterLinkBenchmark {

    private static final int BURST = 64;
    /** Bytes of messages in flight at most: twice Aeron's default receiver window (128 KiB), so that the window rarely idles the sender. */
    private static final int WINDOW_BYTES = 256 * 1024;
    /** Bursts without a delivery after which the sender looks again at what was dropped. */
    private static final int STALLED_BURSTS = 1000;
    private static final int RAW_STREAM_ID = 99;

    private static long delivered;

    private ClusterLinkBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long roundNs = TimeUnit.SECONDS.toNanos(args.length > 1 ? Long.parseLong(args[1]) : 2);
        DataPlane dpA = DataPlane.create(new DataPlane.Context());
        DataPlane dpB = DataPlane.create(new DataPlane.Context());
        ClusterLink linkA = null;
        ClusterLink linkB = null;
        Aeron rawA = null;
        Aeron rawB = null;
        try {
            linkA = ClusterLink.create(dpA, new ClusterLink.Context().node("A"));
            linkB = ClusterLink.create(dpB, new ClusterLink.Context().node("B"));
            rawA = Aeron.connect(new Aeron.Context().aeronDirectoryName(linkA.context().aeronDirectoryName()));
            rawB = Aeron.connect(new Aeron.Context().aeronDirectoryName(linkB.context().aeronDirectoryName()));
            EndpointPort a1 = dpA.attachEndpoint("a1");
            EndpointPort b1 = dpB.attachEndpoint("b1");
            dpA.openHubport("ha1", 0);
            dpA.connectPorts("a1", "ha1");
            dpB.openHubport("hb1", 0);
            dpB.connectPorts("b1", "hb1");
            linkA.peer("B", "127.0.0.1", linkB.localPort());
            linkB.peer("A", "127.0.0.1", linkA.localPort());
            linkA.span(0, Set.of("B"));
            linkB.span(0, Set.of("A"));
            Subscription rawIn = rawB.addSubscription("aeron:udp?endpoint=127.0.0.1:0", RAW_STREAM_ID);
            String rawEndpoint = rawIn.tryResolveChannelEndpointPort();
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                 rawEndpoint == null && System.nanoTime() - deadline < 0; rawEndpoint = rawIn.tryResolveChannelEndpointPort()) {
                Thread.onSpinWait();
            }
            Publication rawOut = rawA.addPublication(rawEndpoint.replace("aeron:udp?", "aeron:udp?term-length="
                    + linkA.context().termBufferLength() + "|"), RAW_STREAM_ID);
            ClusterLink a = linkA;
            ClusterLink b = linkB;
            awaitConnected(() -> a.counters().get("B").connected() && b.counters().get("A").connected()
                    && rawOut.isConnected(), () -> {
                        a.agent().doWork();
                        b.agent().doWork();
                        dpA.switchingAgent().doWork();
                        dpB.switchingAgent().doWork();
                    });

            System.out.printf("machine: %d CPUs; %d rounds of %d s, median; bursts of %d, at most %d KiB in flight, on one"
                    + " thread; media drivers SHARED on their own%n", Runtime.getRuntime().availableProcessors(), rounds,
                    TimeUnit.NANOSECONDS.toSeconds(roundNs), BURST, WINDOW_BYTES / 1024);
            for (int length : new int[] {64, 1500}) {
                double link = measure("cluster link, " + length + " B", rounds, roundNs,
                        linkFlow(dpA, dpB, a, b, a1, b1, length));
                double raw = measure("raw Aeron,    " + length + " B", rounds, roundNs, rawFlow(rawOut, rawIn, length));
                System.out.printf("link / raw at %d B = %.2f%n", length, link / raw);
            }
            LinkCounters counters = a.counters().get("B");
            System.out.printf("A -> B in all: %d frames sent, %d dropped back-pressured, %d not connected%n",
                    counters.framesSent(), counters.droppedBackPressured(), counters.droppedNotConnected());
        } finally {
            CloseHelper.closeAll(rawA, rawB, linkA, linkB, dpA, dpB);
        }
    }

    /** A burst into a1 through the link: offers into a1, and a step of A's switch, A's link, B's link, B's switch and b1. */
    private static Flow linkFlow(DataPlane dpA, DataPlane dpB, ClusterLink a, ClusterLink b, EndpointPort a1,
                                 EndpointPort b1, int length) {
        UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        FrameHandler sink = (buffer, offset, frameLength) -> delivered++;
        return new Flow(() -> {
            for (int i = 0; i < BURST; i++) {
                a1.offer(frame, 0, length);
            }
        }, () -> {
            dpA.switchingAgent().doWork();
            a.agent().doWork();
            b.agent().doWork();
            dpB.switchingAgent().doWork();
            b1.poll(sink, Integer.MAX_VALUE);
        }, () -> a.counters().get("B").dropped() + b.counters().get("A").dropped(), length);
    }

    /** Raw messages: each offered once, and the subscription polled for as many fragments as the link agent polls. */
    private static Flow rawFlow(Publication out, Subscription in, int length) {
        UnsafeBuffer message = new UnsafeBuffer(new byte[length + 4]);
        FragmentHandler sink = (buffer, offset, messageLength, header) -> delivered++;
        io.aeron.FragmentAssembler assembler = new io.aeron.FragmentAssembler(sink);
        long[] refused = new long[1];
        return new Flow(() -> {
            for (int i = 0; i < BURST; i++) {
                if (out.offer(message, 0, length + 4) < 0) {
                    refused[0]++;
                }
            }
        }, () -> in.poll(assembler, ClusterLink.Context.BATCH_LIMIT_DEFAULT), () -> refused[0], length);
    }

    /** A way for frames of {@code length} bytes: offer a burst, step what carries it, count what was dropped. */
    private record Flow(Runnable offer, Runnable step, LongSupplier dropped, int length) {
    }

    private static double measure(String name, int rounds, long roundNs, Flow flow) {
        run(flow, roundNs);
        double[] rates = new double[rounds];
        long offered = 0;
        long droppedBefore = flow.dropped().getAsLong();
        for (int round = 0; round < rounds; round++) {
            long before = delivered;
            long start = System.nanoTime();
            offered += run(flow, roundNs);
            rates[round] = (delivered - before) * 1e9 / (System.nanoTime() - start);
        }
        Arrays.sort(rates);
        double median = rates[rounds / 2];
        System.out.printf("%-22s %,12.0f frames/s (rounds %,.0f..%,.0f), %.2f %% of the frames offered dropped%n",
                name, median, rates[0], rates[rounds - 1], 100.0 * (flow.dropped().getAsLong() - droppedBefore) / offered);
        return median;
    }

    /** Runs {@code flow} for {@code ns}, keeping a window in flight, then lets it drain; returns the frames offered. */
    private static long run(Flow flow, long ns) {
        long window = Math.max(BURST, WINDOW_BYTES / (flow.length() + 4));
        long offered = 0;
        long start = delivered;
        long dropped = flow.dropped().getAsLong();
        long droppedSince = 0;
        long lastDelivered = delivered;
        int stalled = 0;
        long end = System.nanoTime() + ns;
        while (System.nanoTime() - end < 0) {
            if (offered - (delivered - start) - droppedSince < window) {
                flow.offer().run();
                offered += BURST;
            } else if (++stalled > STALLED_BURSTS) {
                droppedSince = flow.dropped().getAsLong() - dropped;
                stalled = 0;
            }
            flow.step().run();
            if (delivered != lastDelivered) {
                lastDelivered = delivered;
                stalled = 0;
            }
        }
        for (long drain = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100); System.nanoTime() - drain < 0; ) {
            flow.step().run();
        }
        return offered;
    }

    /** Steps the agents (which make the links' publications) until everything is connected, for 10 s at most. */
    private static void awaitConnected(java.util.function.BooleanSupplier connected, Runnable step) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!connected.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the links did not connect within 10 s");
            }
            step.run();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }
}
