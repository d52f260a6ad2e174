package io.vnetd.dataplane.bench;

import static io.vnetd.model.netclient.NetClientRef.netdev;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.backend.IoAgent;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames per second between two datagram backends of one data plane over loopback, with and without
 * L2TPv3's header, the median of five rounds each: what encapsulating and checking cost next to
 * plain {@code dgram}. A frame offered at endpoint a goes to backend x, leaves its socket with
 * {@code sendmmsg}, arrives at backend y's with {@code recvmmsg}, and reaches endpoint b:
 * <ul>
 *   <li>dgram: two {@code dgram} netdevs, each the other's remote;</li>
 *   <li>l2tpv3 udp: two ends of a UDP session with 32-bit cookies and a counter;</li>
 *   <li>l2tpv3 ip: the same over IP protocol 115 (needs CAP_NET_RAW; skipped without).</li>
 * </ul>
 * Everything runs on the calling thread (offer a burst, step the agents until it arrives), so the
 * figures are the CPU cost per frame, system calls included, free of scheduling between threads.
 * Run with the JVM flags of the root pom's {@code vnetd.jvm.flags}; not a unit test.
 */
public final class DatagramSessionBenchmark {

    private static final int BURST = 64;
    private static final int FRAMES_PER_ROUND = 200_000;
    private static final int WARM_UP_ROUNDS = 3;
    private static final int ROUNDS = 5;
    private static final long BURST_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    private static long received;
    private static long lost;

    private DatagramSessionBenchmark() {
    }

    /** Two netdevs named x and y whose datagrams reach each other. */
    private record Pair(String name, BiFunction<String, String, List<NetdevConfig>> configs) {
    }

    public static void main(String[] args) {
        List<Pair> pairs = List.of(
                new Pair("dgram", (x, y) -> {
                    int px = freeUdpPort();
                    int py = freeUdpPort();
                    return List.of(dgram(x, px, py), dgram(y, py, px));
                }),
                new Pair("l2tpv3 udp", (x, y) -> {
                    int px = freeUdpPort();
                    int py = freeUdpPort();
                    return List.of(l2tpv3(x, "127.0.0.1", "127.0.0.1", px, py, 1, 2),
                            l2tpv3(y, "127.0.0.1", "127.0.0.1", py, px, 2, 1));
                }),
                new Pair("l2tpv3 ip", (x, y) -> List.of(l2tpv3(x, "127.88.0.1", "127.88.0.2", 0, 0, 1, 2),
                        l2tpv3(y, "127.88.0.2", "127.88.0.1", 0, 0, 2, 1))));
        for (int frameLength : new int[] {64, 1500}) {
            double base = Double.NaN;
            for (Pair pair : pairs) {
                double fps = run(pair, frameLength);
                if (pair.name().equals("dgram")) {
                    base = fps;
                } else if (!Double.isNaN(fps)) {
                    System.out.printf("  %s / dgram = %.2f%n", pair.name(), fps / base);
                }
            }
        }
    }

    private static double run(Pair pair, int frameLength) {
        try (DataPlane dp = DataPlane.create(new DataPlane.Context())) {
            try {
                for (NetdevConfig config : pair.configs().apply("x", "y")) {
                    dp.open(config);
                    dp.activate(netdev(config.id()));
                }
            } catch (RuntimeException e) {
                System.out.printf("%-12s %5d B  skipped: %s%n", pair.name(), frameLength, e.getMessage());
                return Double.NaN;
            }
            EndpointPort a = dp.attachEndpoint("a");
            EndpointPort b = dp.attachEndpoint("b");
            dp.connect(netdev("a"), netdev("x"));
            dp.connect(netdev("y"), netdev("b"));
            UnsafeBuffer frame = new UnsafeBuffer(new byte[frameLength]);
            frame.putLong(0, 0x5254_0012_3457_5254L);
            FrameHandler consume = (buffer, offset, length) -> received++;
            Runnable burst = () -> {
                for (int i = 0; i < BURST; i++) {
                    a.offer(frame, 0, frameLength);
                }
                long expected = received + BURST;
                long deadline = System.nanoTime() + BURST_TIMEOUT_NS;
                while (received < expected && System.nanoTime() - deadline < 0) {
                    dp.switchingAgent().doWork();
                    for (IoAgent io : dp.ioAgents()) {
                        io.doWork();
                    }
                    b.poll(consume, BURST);
                }
                lost += Math.max(0, expected - received);
                received = expected;
            };
            return measure(pair.name(), frameLength, burst);
        }
    }

    private static double measure(String name, int frameLength, Runnable burst) {
        int bursts = FRAMES_PER_ROUND / BURST;
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (int i = 0; i < bursts; i++) {
                burst.run();
            }
        }
        lost = 0;
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
        System.out.printf("%-12s %5d B %,12.0f frames/s (median of %d rounds of %,d; best %,.0f; lost %d)%n", name,
                frameLength, median, ROUNDS, bursts * BURST, fps[ROUNDS - 1], lost);
        return median;
    }

    private static NetdevConfig dgram(String id, int local, int remote) {
        return new NetdevConfig.Dgram(id, Optional.of(SocketAddress.Inet.of("127.0.0.1", String.valueOf(local))),
                Optional.of(SocketAddress.Inet.of("127.0.0.1", String.valueOf(remote))));
    }

    /** Over UDP when the ports are not 0, else over IP; 32-bit cookies (the sessions') and a counter. */
    private static NetdevConfig l2tpv3(String id, String src, String dst, int srcport, int dstport, long tx, long rx) {
        boolean udp = srcport != 0;
        return new NetdevConfig.L2tpv3(id, src, dst, udp ? Optional.of(String.valueOf(srcport)) : Optional.empty(),
                udp ? Optional.of(String.valueOf(dstport)) : Optional.empty(), Optional.empty(), Optional.of(udp),
                Optional.empty(), Optional.of(true), Optional.empty(), Optional.of(BigInteger.valueOf(tx)),
                Optional.of(BigInteger.valueOf(rx)), tx, Optional.of(rx), Optional.empty());
    }

    private static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
