package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.Frames.sequence;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static io.vnetd.dataplane.backend.ConnectedDatagramPeer.address;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_BAD_HEADER;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.dataplane.AllocationProbe;
import io.vnetd.dataplane.Frames;
import io.vnetd.dataplane.backend.BackendHarness.Peer;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The l2tpv3 backend against a plain socket that speaks the format as QEMU 7.2 writes it (bytes spelled
 * out here, not produced by the backend's code): UDP and IP encapsulation, IPv4 and IPv6, cookies,
 * counter, offset; datagrams whose session or cookie is not the backend's are dropped and counted.
 */
class L2tpv3BackendTest {

    private static final long TX = 0x11223344L;
    private static final long RX = 0x55667788L;
    private static final int SOCK_RAW = 3;
    private static final int IPPROTO_L2TP = 115;
    private static final Duration ARRIVAL = Duration.ofSeconds(10);
    private static final HexFormat HEX = HexFormat.of();

    /** The options of one netdev, QEMU's names, with a tx and an rx session of their own. */
    private static final class Options {
        String src = "127.0.0.1";
        String dst = "127.0.0.1";
        Optional<String> srcport = Optional.empty();
        Optional<String> dstport = Optional.empty();
        Optional<Boolean> ipv6 = Optional.empty();
        Optional<Boolean> udp = Optional.empty();
        Optional<Boolean> cookie64 = Optional.empty();
        Optional<Boolean> counter = Optional.empty();
        Optional<Boolean> pincounter = Optional.empty();
        Optional<BigInteger> txcookie = Optional.empty();
        Optional<BigInteger> rxcookie = Optional.empty();
        Optional<Long> offset = Optional.empty();

        static Options udp(String src, int srcport, String dst, int dstport) {
            Options o = new Options();
            o.udp = Optional.of(true);
            o.src = src;
            o.dst = dst;
            o.srcport = Optional.of(String.valueOf(srcport));
            o.dstport = Optional.of(String.valueOf(dstport));
            return o;
        }

        static Options ip(String src, String dst) {
            Options o = new Options();
            o.src = src;
            o.dst = dst;
            return o;
        }

        Options cookies(long tx, long rx) {
            txcookie = Optional.of(new BigInteger(Long.toUnsignedString(tx)));
            rxcookie = Optional.of(new BigInteger(Long.toUnsignedString(rx)));
            return this;
        }

        Options ipv6() {
            ipv6 = Optional.of(true);
            return this;
        }

        NetdevConfig.L2tpv3 build(String id) {
            return new NetdevConfig.L2tpv3(id, src, dst, srcport, dstport, ipv6, udp, cookie64, counter, pincounter,
                    txcookie, rxcookie, TX, Optional.of(RX), offset);
        }
    }

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replace(" ", ""));
    }

    private static byte[] concat(byte[] header, byte[] frame) {
        return ByteBuffer.allocate(header.length + frame.length).put(header).put(frame).array();
    }

    /** A UDP socket on {@code host} talking to {@code vnetdPort} there. */
    private static ConnectedDatagramPeer udpPeer(String host, int family, int vnetdPort) {
        return ConnectedDatagramPeer.open(family, Libc.SOCK_DGRAM, 0, address(host, "0", family, Libc.SOCK_DGRAM),
                address(host, String.valueOf(vnetdPort), family, Libc.SOCK_DGRAM));
    }

    private static byte[] receive(ConnectedDatagramPeer socket) {
        return socket.receive(ARRIVAL).orElseThrow(() -> new AssertionError("no datagram within " + ARRIVAL));
    }

    /**
     * Frames cross both ways: the backend's datagrams carry {@code sent} before the frame, and it takes
     * datagrams with {@code received} before theirs.
     */
    private static void assertCrossing(BackendHarness h, Peer sw, ConnectedDatagramPeer socket, byte[] sent,
                                       byte[] received) {
        byte[] out = frame(MAC_A, MAC_B, 1, 1500);
        sw.send(out);
        h.settle();
        assertArrayEquals(concat(sent, out), receive(socket), "the datagram the backend sent");
        byte[] in = frame(MAC_B, MAC_A, 2, 60);
        socket.send(concat(received, in));
        int before = sw.received().size();
        h.await("the frame from the socket", () -> sw.received().size() == before + 1);
        assertArrayEquals(in, sw.received().getLast(), "the frame the backend delivered");
    }

    @Test
    void overUdpFramesCrossBehindQemusDataHeader() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = udpPeer("127.0.0.1", Libc.AF_INET, port)) {
            h.open(Options.udp("127.0.0.1", port, "127.0.0.1", socket.port()).build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();
            assertEquals("l2tpv3: connected", h.describe("l0"));

            assertCrossing(h, sw, socket, hex("00030000 11223344"), hex("00030000 55667788"));
        }
    }

    @Test
    void cookiesAndTheCounterAreWrittenAndOnlyMatchingDatagramsAreDelivered() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = udpPeer("127.0.0.1", Libc.AF_INET, port)) {
            Options options = Options.udp("127.0.0.1", port, "127.0.0.1", socket.port()).cookies(0x0a0b0c0dL, 0x01020304L);
            options.counter = Optional.of(true);
            h.open(options.build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();

            for (int i = 1; i <= 3; i++) {
                sw.send(frame(MAC_A, MAC_B, i));
            }
            h.settle();
            for (int i = 1; i <= 3; i++) {
                assertArrayEquals(concat(hex("00030000 11223344 0a0b0c0d 0000000" + i), frame(MAC_A, MAC_B, i)),
                        receive(socket), "datagram " + i + ": the counter counts from 1");
            }

            // The counter and the UDP word are not checked, as in QEMU; session and cookie are.
            socket.send(concat(hex("00030000 55667788 01020304 deadbeef"), frame(MAC_B, MAC_A, 10)));
            socket.send(concat(hex("00030000 55667788 0a0b0c0d 00000001"), frame(MAC_B, MAC_A, 11)));
            socket.send(concat(hex("00030000 11223344 01020304 00000001"), frame(MAC_B, MAC_A, 12)));
            socket.send(hex("00030000 55667788 01020304 00000001"));
            socket.send(concat(hex("ffffffff 55667788 01020304 00000002"), frame(MAC_B, MAC_A, 13)));
            h.await("two frames", () -> sw.received().size() == 2);
            h.settle();

            assertEquals(List.of(10, 13), sw.received().stream().map(Frames::sequence).toList());
            assertEquals(3, h.backendCounters("l0").counters().get(DROPPED_BAD_HEADER),
                    "a wrong cookie, a wrong session, no frame after the header");
            assertEquals(2, h.portCounters("l0").get(TX_FRAMES), "only matching datagrams enter the switch");
            assertEquals(3, h.dp.counters(netdev("l0")).orElseThrow().get(DROPPED_BAD_HEADER),
                    "the net-client listing shows them as bad-header drops");
        }
    }

    @Test
    void theCookieIs64BitsWheneverCookie64IsGivenEvenAsFalse() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = udpPeer("127.0.0.1", Libc.AF_INET, port)) {
            Options options = Options.udp("127.0.0.1", port, "127.0.0.1", socket.port())
                    .cookies(0x0102030405060708L, 0xf1f2f3f4f5f6f7f8L);
            options.cookie64 = Optional.of(false);
            h.open(options.build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();

            assertCrossing(h, sw, socket, hex("00030000 11223344 0102030405060708"),
                    hex("00030000 55667788 f1f2f3f4f5f6f7f8"));
            socket.send(concat(hex("00030000 55667788 00000000f5f6f7f8"), frame(MAC_B, MAC_A, 3)));
            h.await("the datagram counted", () -> h.backendCounters("l0").counters().get(DROPPED_BAD_HEADER) == 1);
            assertEquals(1, sw.received().size(), "all 64 bits of the cookie are compared");
        }
    }

    @Test
    void a32BitCookieSendsTheLowHalfAndNeverMatchesAnRxcookieAbove32Bits() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = udpPeer("127.0.0.1", Libc.AF_INET, port)) {
            h.open(Options.udp("127.0.0.1", port, "127.0.0.1", socket.port())
                    .cookies(0xaabbccdd01020304L, 0x100000001L).build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();

            sw.send(frame(MAC_A, MAC_B, 1));
            h.settle();
            assertArrayEquals(concat(hex("00030000 11223344 01020304"), frame(MAC_A, MAC_B, 1)), receive(socket));
            socket.send(concat(hex("00030000 55667788 00000001"), frame(MAC_B, MAC_A, 2)));
            h.await("the datagram counted", () -> h.backendCounters("l0").counters().get(DROPPED_BAD_HEADER) == 1);
            assertEquals(List.of(), sw.received());
        }
    }

    @Test
    void pincounterSendsZeroAndTheOffsetIsPaddingEitherWay() {
        int port = freeUdpPort();
        int otherPort = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = udpPeer("127.0.0.1", Libc.AF_INET, port);
             ConnectedDatagramPeer other = udpPeer("127.0.0.1", Libc.AF_INET, otherPort)) {
            Options pinned = Options.udp("127.0.0.1", port, "127.0.0.1", socket.port());
            pinned.counter = Optional.of(true);
            pinned.pincounter = Optional.of(true);
            pinned.offset = Optional.of(3L);
            h.open(pinned.build("l0"));
            Options pinOnly = Options.udp("127.0.0.1", otherPort, "127.0.0.1", other.port());
            pinOnly.pincounter = Optional.of(true);
            h.open(pinOnly.build("l1"));
            Peer sw = h.peerOf("l0");
            Peer swOther = h.peerOf("l1");
            h.settle();

            assertCrossing(h, sw, socket, hex("00030000 11223344 00000000 000000"),
                    hex("00030000 55667788 00000007 a5a5a5"));
            assertCrossing(h, swOther, other, hex("00030000 11223344"), hex("00030000 55667788"));
        }
    }

    @Test
    void overIpv4TheProtocolIs115AndTheIpHeaderIsSkipped() {
        assumeRawSockets(Libc.AF_INET);
        // Addresses of this run's own on 127/8: a raw socket hears every protocol-115 packet to its address.
        int net = ThreadLocalRandom.current().nextInt(1, 250);
        String vnetd = "127.86." + net + ".1";
        String peer = "127.86." + net + ".2";
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = ConnectedDatagramPeer.open(Libc.AF_INET, SOCK_RAW, IPPROTO_L2TP,
                     address(peer, null, Libc.AF_INET, SOCK_RAW), address(vnetd, null, Libc.AF_INET, SOCK_RAW))) {
            Options options = Options.ip(vnetd, peer).cookies(0x0a0b0c0dL, 0x01020304L);
            options.srcport = Optional.of("not a port: ignored over IP");
            h.open(options.build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();

            byte[] out = frame(MAC_A, MAC_B, 1, 1500);
            sw.send(out);
            h.settle();
            byte[] packet = receive(socket);
            int ipHeader = (packet[0] & 0x0f) * 4;
            assertEquals(IPPROTO_L2TP, packet[9] & 0xff, "the IP protocol");
            byte[] datagram = Arrays.copyOfRange(packet, ipHeader, packet.length);
            assertArrayEquals(concat(hex("11223344 0a0b0c0d"), out), datagram, "no UDP word over IP");

            byte[] in = frame(MAC_B, MAC_A, 2, 60);
            socket.send(concat(hex("55667788 01020304"), in));
            h.await("the frame from the socket", () -> sw.received().size() == 1);
            assertArrayEquals(in, sw.received().getFirst());
            assertEquals("l2tpv3: connected", h.describe("l0"));
        }
    }

    @Test
    void overIpv6NoIpHeaderComesBeforeTheSession() {
        assumeRawSockets(Libc.AF_INET6);
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = ConnectedDatagramPeer.open(Libc.AF_INET6, SOCK_RAW, IPPROTO_L2TP,
                     address("::1", null, Libc.AF_INET6, SOCK_RAW), address("::1", null, Libc.AF_INET6, SOCK_RAW))) {
            Options options = Options.ip("::1", "::1").ipv6().cookies(0x0102030405060708L, 0xf1f2f3f4f5f6f7f8L);
            options.cookie64 = Optional.of(true);
            h.open(options.build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();

            assertCrossing(h, sw, socket, hex("11223344 0102030405060708"), hex("55667788 f1f2f3f4f5f6f7f8"));
            // Both sockets are on ::1, so the backend also hears its own datagram: not its session, dropped.
            h.await("its own datagram counted", () -> h.backendCounters("l0").counters().get(DROPPED_BAD_HEADER) >= 1);
            assertEquals(1, sw.received().size());
        }
    }

    @Test
    void overUdpOnIpv6() throws IOException {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            port = probe.getLocalPort();
        }
        try (BackendHarness h = new BackendHarness(); ConnectedDatagramPeer socket = udpPeer("::1", Libc.AF_INET6, port)) {
            h.open(Options.udp("::1", port, "::1", socket.port()).ipv6().build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();

            assertCrossing(h, sw, socket, hex("00030000 11223344"), hex("00030000 55667788"));
        }
    }

    @Test
    void aBatchOfDatagramsIsReadInOneDutyCycle() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = udpPeer("127.0.0.1", Libc.AF_INET, port)) {
            h.open(Options.udp("127.0.0.1", port, "127.0.0.1", socket.port()).build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();
            for (int i = 0; i < 40; i++) {
                socket.send(concat(hex("00030000 55667788"), frame(MAC_B, MAC_A, i)));
            }

            assertEquals(16, h.dp.ioAgents().getFirst().doWork(), "one recvmmsg of ioBatchLength datagrams");
            h.await("40 frames", () -> sw.received().size() == 40);
            for (int i = 0; i < 40; i++) {
                assertEquals(i, sequence(sw.received().get(i)));
            }
        }
    }

    /**
     * Encapsulating and checking allocate nothing once warm: the agents' duty cycles, stepped on this
     * thread, move frames both ways through a session with cookies and a counter without allocating.
     */
    @Test
    void framesThroughASessionAllocateNothingOnceWarm() throws Exception {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             ConnectedDatagramPeer socket = udpPeer("127.0.0.1", Libc.AF_INET, port)) {
            Options options = Options.udp("127.0.0.1", port, "127.0.0.1", socket.port()).cookies(0x0a0b0c0dL, 0x01020304L);
            options.counter = Optional.of(true);
            h.open(options.build("l0"));
            Peer sw = h.peerOf("l0");
            h.settle();
            RoundTrips roundTrips = new RoundTrips(h, sw, socket);
            // HotSpot resolves a method's constants, allocating, when it queues it for C2: some 25,000 calls.
            roundTrips.run(30_000);

            AllocationProbe.assertAMeasuredWindowAllocatesNothing(() -> roundTrips.run(5_000));
            assertEquals(0, h.backendCounters("l0").counters().get(DROPPED_BAD_HEADER));
        }
    }

    /** Round trips through the session, one at a time; counts only what the stepped agents allocate. */
    private static final class RoundTrips {
        private final BackendHarness h;
        private final Peer sw;
        private final ConnectedDatagramPeer socket;
        private final byte[] in = concat(hex("00030000 55667788 01020304 00000000"), frame(MAC_B, MAC_A, 1, 128));
        private final UnsafeBuffer out = new UnsafeBuffer(frame(MAC_A, MAC_B, 2, 128));
        private final long[] delivered = new long[1];
        private final FrameHandler sink = (buffer, offset, length) -> delivered[0]++;

        RoundTrips(BackendHarness h, Peer sw, ConnectedDatagramPeer socket) {
            this.h = h;
            this.sw = sw;
            this.socket = socket;
        }

        long run(int count) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long allocated = 0;
            for (int i = 0; i < count; i++) {
                long target = delivered[0] + 1;
                socket.send(in);
                assertTrue(sw.port.offer(out, 0, out.capacity()), "inbound ring full");
                boolean sent = false;
                while (delivered[0] < target || !sent) {
                    long before = AllocationProbe.currentThreadAllocatedBytes();
                    h.step();
                    allocated += AllocationProbe.currentThreadAllocatedBytes() - before;
                    sw.port.poll(sink, 1);
                    sent = sent || socket.receive(Duration.ZERO).isPresent();
                    assertTrue(System.nanoTime() - deadline < 0, "stalled after " + i + " round trips");
                }
            }
            return allocated;
        }
    }

    @Test
    void closingFreesThePortAtOnce() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness()) {
            NetdevConfig.L2tpv3 config = Options.udp("127.0.0.1", port, "127.0.0.1", freeUdpPort()).build("l0");
            h.open(config);
            h.open(config);
            h.dp.close(netdev("l0"));
            h.open(config);
            assertEquals("l2tpv3: connected", h.describe("l0"));
        }
    }

    @Test
    void errorsHaveQemusWording() throws IOException {
        try (BackendHarness h = new BackendHarness()) {
            assertEquals("could not resolve src, errno = Address family for hostname not supported",
                    refusal(h, Options.ip("::1", "127.0.0.1").build("l0")));
            assertEquals("could not resolve dst, error = Address family for hostname not supported",
                    refusal(h, Options.udp("127.0.0.1", freeUdpPort(), "::1", 1).build("l0")));
            assertEquals("could not resolve src, errno = Address family for hostname not supported",
                    refusal(h, Options.udp("127.0.0.1", freeUdpPort(), "::1", 1).ipv6().build("l0")));
            Options badService = Options.udp("127.0.0.1", 1, "127.0.0.1", 1);
            badService.srcport = Optional.of("nosuchservice");
            assertEquals("could not resolve src, errno = Servname not supported for ai_socktype",
                    refusal(h, badService.build("l0")));
            badService.srcport = Optional.of("0");
            badService.dstport = Optional.of("nosuchservice");
            assertEquals("could not resolve dst, error = Servname not supported for ai_socktype",
                    refusal(h, badService.build("l0")));
            assertEquals("could not bind socket err=99",
                    refusal(h, Options.udp("192.0.2.1", freeUdpPort(), "127.0.0.1", 1).build("l0")));
            int taken = freeUdpPort();
            try (DatagramChannel _ = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", taken))) {
                assertEquals("could not bind socket err=98",
                        refusal(h, Options.udp("127.0.0.1", taken, "127.0.0.1", 1).build("l0")));
            }
            assertEquals(List.of(), h.dp.backendCounters(), "nothing stays open after a refusal");
            assertTrue(h.dp.counters().isEmpty(), "no port stays open after a refusal");
        }
    }

    private static String refusal(BackendHarness h, NetdevConfig config) {
        return assertThrows(NetException.class, () -> h.open(config)).desc();
    }

    /** Raw sockets need CAP_NET_RAW, as QEMU's l2tpv3 over IP does. */
    private static void assumeRawSockets(int family) {
        try {
            Sockets.close(Sockets.socket(family, SOCK_RAW, IPPROTO_L2TP, "raw socket"));
        } catch (ErrnoException e) {
            assumeTrue(false, "no raw sockets here (" + e.getMessage() + "): l2tpv3 over IP needs CAP_NET_RAW");
        }
    }
}
