package io.vnetd.dataplane.bench;

import static io.vnetd.model.netclient.NetClientRef.netdev;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.filter.VirtioRxFilter;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.dataplane.port.RingBuffers;
import io.vnetd.dataplane.switching.SwitchingAgent;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.MacAddress;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Frames per second of 64-byte frames through the data plane against the bare rings they travel on,
 * the median of five rounds each.
 * Everything runs on the calling thread (offer a burst, one duty cycle, poll the burst), so the
 * figures are the CPU cost per frame, free of scheduling noise on shared cores:
 * <ul>
 *   <li>raw rings: a ManyToOneRingBuffer copied into a OneToOneRingBuffer, the two hops every frame
 *       makes, with no switching;</li>
 *   <li>peers: two endpoints peered directly;</li>
 *   <li>hub: two endpoints, each peered with a hubport of one hub;</li>
 *   <li>hub + rx-filter: the same, the receiving endpoint filtering as a virtio-net NIC whose guest
 *       turned promiscuous mode off (the frames are addressed to its MAC).</li>
 * </ul>
 * The frames are unicast to 52:54:00:12:34:57. Goal: hub + rx-filter at least 10 M frames/s and 60 %
 * of raw rings.
 * Run with the JVM flags of the root pom's {@code vnetd.jvm.flags}; not a unit test.
 */
public final class SwitchBenchmark {

    private static final int FRAME_LENGTH = 64;
    private static final int BURST = 64;
    private static final int FRAMES_PER_ROUND = 5_000_000;
    private static final int WARM_UP_ROUNDS = 3;
    private static final int ROUNDS = 5;

    private static long sink;

    private SwitchBenchmark() {
    }

    private static final long DESTINATION = MacAddress.of("52:54:00:12:34:57").bits();

    public static void main(String[] args) {
        UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_LENGTH]);
        frame.putShort(0, (short) (DESTINATION >>> 32), ByteOrder.BIG_ENDIAN);
        frame.putInt(2, (int) DESTINATION, ByteOrder.BIG_ENDIAN);

        double raw = measure("raw rings", rawRings(frame));
        double peers;
        double hub;
        double filtered;
        try (DataPlane dp = DataPlane.create(new DataPlane.Context())) {
            peers = measure("peers", throughDataPlane(dp, frame, false, false));
        }
        try (DataPlane dp = DataPlane.create(new DataPlane.Context())) {
            hub = measure("2-port hub", throughDataPlane(dp, frame, true, false));
        }
        try (DataPlane dp = DataPlane.create(new DataPlane.Context())) {
            filtered = measure("hub+filter", throughDataPlane(dp, frame, true, true));
        }
        System.out.printf("peers / raw = %.2f, hub / raw = %.2f, hub+filter / raw = %.2f%n",
                peers / raw, hub / raw, filtered / raw);
    }

    private static double measure(String name, Runnable burst) {
        int bursts = FRAMES_PER_ROUND / BURST;
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (int i = 0; i < bursts; i++) {
                burst.run();
            }
        }
        double[] fps = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < bursts; i++) {
                burst.run();
            }
            fps[round] = (double) bursts * BURST * 1e9 / (System.nanoTime() - start);
        }
        Arrays.sort(fps);
        double median = fps[ROUNDS / 2];
        System.out.printf("%-12s %,14.0f frames/s (median of %d rounds of %,d; best %,.0f)%n", name, median, ROUNDS,
                bursts * BURST, fps[ROUNDS - 1]);
        return median;
    }

    private static Runnable rawRings(DirectBuffer frame) {
        ManyToOneRingBuffer in = new ManyToOneRingBuffer(RingBuffers.allocate(DataPlane.Context.INBOUND_RING_CAPACITY_DEFAULT));
        OneToOneRingBuffer out = new OneToOneRingBuffer(RingBuffers.allocate(DataPlane.Context.OUTBOUND_RING_CAPACITY_DEFAULT));
        MessageHandler copy = (type, buffer, index, length) -> out.write(1, buffer, index, length);
        MessageHandler consume = (type, buffer, index, length) -> sink += length;
        return () -> {
            for (int i = 0; i < BURST; i++) {
                in.write(1, frame, 0, FRAME_LENGTH);
            }
            in.read(copy, BURST);
            out.read(consume, BURST);
        };
    }

    private static Runnable throughDataPlane(DataPlane dp, DirectBuffer frame, boolean viaHub, boolean filter) {
        EndpointPort a = dp.attachEndpoint("a");
        EndpointPort b = dp.attachEndpoint("b");
        if (viaHub) {
            dp.open(new NetdevConfig.Hubport("ha", 0, Optional.empty()));
            dp.open(new NetdevConfig.Hubport("hb", 0, Optional.empty()));
            dp.connect(netdev("a"), netdev("ha"));
            dp.connect(netdev("hb"), netdev("b"));
        } else {
            dp.connect(netdev("a"), netdev("b"));
        }
        if (filter) {
            dp.setPortRxFilter("b", VirtioRxFilter.builder(DESTINATION).promiscuous(false).build());
        }
        SwitchingAgent agent = dp.switchingAgent();
        agent.doWork();
        FrameHandler consume = (buffer, offset, length) -> sink += length;
        return () -> {
            for (int i = 0; i < BURST; i++) {
                a.offer(frame, 0, FRAME_LENGTH);
            }
            agent.doWork();
            b.poll(consume, BURST);
        };
    }
}
