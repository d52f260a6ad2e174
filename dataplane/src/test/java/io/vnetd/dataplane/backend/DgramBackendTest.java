package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.Frames.sequence;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_SEND_FAILED;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.dataplane.backend.BackendHarness.Peer;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dgram backend: one frame per datagram, inet unicast and unix through FFM, QEMU's errors. */
class DgramBackendTest {

    @TempDir
    Path dir;

    static NetdevConfig.Dgram inet(String id, String localHost, int localPort, String remoteHost, int remotePort) {
        return new NetdevConfig.Dgram(id, Optional.of(SocketAddress.Inet.of(localHost, String.valueOf(localPort))),
                Optional.of(SocketAddress.Inet.of(remoteHost, String.valueOf(remotePort))));
    }

    @Test
    void framesCrossAsRawDatagramsBothWays() throws IOException {
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int remotePort = ((InetSocketAddress) remote.getLocalAddress()).getPort();
            h.open(inet("d0", "127.0.0.1", local, "127.0.0.1", remotePort));
            Peer peer = h.peerOf("d0");
            h.settle();

            byte[] in = frame(MAC_B, MAC_A, 1, 60);
            remote.send(ByteBuffer.wrap(in), new InetSocketAddress("127.0.0.1", local));
            h.await("a frame from the socket", () -> peer.received().size() == 1);
            assertArrayEquals(in, peer.received().getFirst());

            byte[] out = frame(MAC_A, MAC_B, 2, 1500);
            peer.send(out);
            h.settle();
            ByteBuffer datagram = ByteBuffer.allocate(9000);
            remote.configureBlocking(false);
            h.await("a datagram", () -> receive(remote, datagram));
            datagram.flip();
            byte[] got = new byte[datagram.remaining()];
            datagram.get(got);
            assertArrayEquals(out, got);
            assertEquals("udp=127.0.0.1:" + local + "/127.0.0.1:" + remotePort, h.describe("d0"));
        }
    }

    /**
     * On loopback the backend's datagrams carry DF (nothing could fragment them): the longest frame a
     * UDP datagram holds still leaves whole.
     */
    @Test
    void theLongestFrameAUdpDatagramHoldsLeavesWholeOnLoopback() throws IOException {
        int longest = 65535 - 20 - 8;
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness(c -> c.maxFrameLength(longest).inboundRingCapacity(1 << 20)
                .outboundRingCapacity(1 << 20).ioBufferLength(1 << 17));
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            h.open(inet("d0", "127.0.0.1", local, "127.0.0.1", ((InetSocketAddress) remote.getLocalAddress()).getPort()));
            Peer peer = h.peerOf("d0");
            h.settle();

            byte[] out = frame(MAC_A, MAC_B, 1, longest);
            peer.send(out);
            ByteBuffer datagram = ByteBuffer.allocate(1 << 17);
            remote.configureBlocking(false);
            h.await("a datagram", () -> receive(remote, datagram));
            assertArrayEquals(out, Arrays.copyOf(datagram.array(), datagram.position()));
            assertEquals(0, h.backendCounters("d0").counters().get(DROPPED_SEND_FAILED));
        }
    }

    private static boolean receive(DatagramChannel channel, ByteBuffer into) {
        try {
            return channel.receive(into) != null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBatchOfDatagramsIsReadInOneDutyCycle() throws IOException {
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            h.open(inet("d0", "127.0.0.1", local, "127.0.0.1", ((InetSocketAddress) remote.getLocalAddress()).getPort()));
            Peer peer = h.peerOf("d0");
            h.settle();
            for (int i = 0; i < 40; i++) {
                remote.send(ByteBuffer.wrap(frame(MAC_B, MAC_A, i)), new InetSocketAddress("127.0.0.1", local));
            }
            IoAgent io = h.dp.ioAgents().getFirst();

            assertEquals(16, io.doWork(), "one recvmmsg of ioBatchLength datagrams");
            h.await("40 frames", () -> peer.received().size() == 40);
            for (int i = 0; i < 40; i++) {
                assertEquals(i, sequence(peer.received().get(i)));
            }
        }
    }

    @Test
    void unixDatagramSocketsCarryFramesBothWays() throws IOException {
        String local = dir.resolve("local.sock").toString();
        String remote = dir.resolve("remote.sock").toString();
        Files.writeString(Path.of(local), "a stale file QEMU removes before it binds");
        try (BackendHarness h = new BackendHarness(); UnixDatagramPeer socket = UnixDatagramPeer.bind(remote)) {
            h.open(new NetdevConfig.Dgram("u0", Optional.of(SocketAddress.Unix.of(local)),
                    Optional.of(SocketAddress.Unix.of(remote))));
            Peer peer = h.peerOf("u0");
            h.settle();
            assertEquals("udp=" + local + ":" + remote, h.describe("u0"));

            byte[] in = frame(MAC_B, MAC_A, 7, 333);
            socket.sendTo(local, in);
            h.await("a frame from the unix socket", () -> peer.received().size() == 1);
            assertArrayEquals(in, peer.received().getFirst());

            byte[] out = frame(MAC_A, MAC_B, 8, 1514);
            peer.send(out);
            h.settle();
            assertArrayEquals(out, socket.receive());

            h.dp.close(netdev("u0"));
            assertFalse(Files.exists(Path.of(local)), "the socket file is removed when the netdev goes");
        }
    }

    @Test
    void multicastMembersOnLoopbackHearEachOther() {
        int port = freeUdpPort();
        NetdevConfig.Dgram member = new NetdevConfig.Dgram("m0", Optional.of(SocketAddress.Inet.of("127.0.0.1", "0")),
                Optional.of(SocketAddress.Inet.of("230.0.0.10", String.valueOf(port))));
        try (BackendHarness h = new BackendHarness()) {
            try {
                h.open(member);
                h.open(new NetdevConfig.Dgram("m1", member.local(), member.remote()));
            } catch (NetException e) {
                assumeTrue(false, "no multicast on the loopback interface here: " + e.desc());
            }
            assertEquals("mcast=230.0.0.10:" + port, h.describe("m0"));
            Peer zero = h.peerOf("m0");
            Peer one = h.peerOf("m1");
            h.settle();
            byte[] out = frame(MAC_A, MAC_B, 1, 300);
            zero.send(out);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (one.received().isEmpty() && System.nanoTime() - deadline < 0) {
                h.step();
            }
            assumeTrue(!one.received().isEmpty(), "multicast sent on 127.0.0.1 did not loop back: no multicast route");
            assertArrayEquals(out, one.received().getFirst());
        }
    }

    @Test
    void aMissingUnixDestinationDropsFramesAndCountsThem() {
        String local = dir.resolve("l.sock").toString();
        try (BackendHarness h = new BackendHarness()) {
            h.open(new NetdevConfig.Dgram("u0", Optional.of(SocketAddress.Unix.of(local)),
                    Optional.of(SocketAddress.Unix.of(dir.resolve("nobody").toString()))));
            Peer peer = h.peerOf("u0");
            h.settle();
            peer.send(frame(MAC_A, MAC_B, 1));
            peer.send(frame(MAC_A, MAC_B, 2));
            h.settle();

            assertEquals(2, h.backendCounters("u0").counters().get(DROPPED_SEND_FAILED));
        }
    }

    @Test
    void twoBackendsMayShareALocalPortAsInQemu() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(inet("a", "127.0.0.1", port, "127.0.0.1", freeUdpPort()));
            h.open(inet("b", "127.0.0.1", port, "127.0.0.1", freeUdpPort()));
        }
    }

    @Test
    void addressesAreReadAsQemuReadsThem() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(new NetdevConfig.Dgram("d", Optional.of(SocketAddress.Inet.of("127.1", "0" + Integer.toOctalString(port))),
                    Optional.of(SocketAddress.Inet.of("localhost", "1abc"))));
            assertEquals("udp=127.0.0.1:" + port + "/127.0.0.1:1", h.describe("d"));
        }
    }

    @Test
    void errorsHaveQemusWording() {
        try (BackendHarness h = new BackendHarness()) {
            assertEquals("can't resolve host address '::1'",
                    refusal(h, inet("d", "::1", 1, "127.0.0.1", 2)));
            assertEquals("can't resolve host address '::1'",
                    refusal(h, inet("d", "127.0.0.1", 1, "::1", 2)));
            assertEquals("host address '300.1.1.1' is not a valid IPv4 address",
                    refusal(h, inet("d", "300.1.1.1", 1, "127.0.0.1", 2)));
            assertEquals("port number 'x' is invalid",
                    refusal(h, new NetdevConfig.Dgram("d", Optional.of(SocketAddress.Inet.of("127.0.0.1", "x")),
                            Optional.of(SocketAddress.Inet.of("127.0.0.1", "1")))));
            assertEquals("localaddr 'nohost.invalid' is not a valid IPv4 address",
                    refusal(h, new NetdevConfig.Dgram("d", Optional.of(SocketAddress.Inet.of("nohost.invalid", "0")),
                            Optional.of(SocketAddress.Inet.of("230.0.0.10", "17212")))));
            int taken = freeUdpPort();
            try (DatagramChannel _ = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", taken))) {
                assertEquals("can't bind ip=127.0.0.1 to socket: Address already in use",
                        refusal(h, inet("d", "127.0.0.1", taken, "127.0.0.1", 2)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            String tooLong = "/tmp/" + "x".repeat(120);
            assertEquals("UNIX socket path '" + tooLong + "' is too long",
                    refusal(h, new NetdevConfig.Dgram("d", Optional.of(SocketAddress.Unix.of(tooLong)),
                            Optional.of(SocketAddress.Unix.of("/tmp/r")))));
            assertEquals("can't bind unix=" + dir.resolve("no/such/dir") + " to socket: No such file or directory",
                    refusal(h, new NetdevConfig.Dgram("d", Optional.of(SocketAddress.Unix.of(dir.resolve("no/such/dir").toString())),
                            Optional.of(SocketAddress.Unix.of("/tmp/r")))));
            assertEquals(java.util.List.of(), h.dp.backendCounters(), "nothing stays open after a refusal");
            assertTrue(h.dp.counters().isEmpty(), "no port stays open after a refusal");
        }
    }

    /**
     * {@code net_init_dgram}'s rules where a request breaks two: an inet remote is converted before
     * anything else is looked at, then how local and remote go together, then local's type (as QEMU
     * 7.2 answered in the conformance case netdev_add-dgram-rule-order).
     */
    @Test
    void whereTwoRulesAreBrokenTheFirstQemuChecksIsReported() {
        SocketAddress unicast = SocketAddress.Inet.of("127.0.0.1", "17220");
        SocketAddress group = SocketAddress.Inet.of("230.0.0.20", "17223");
        SocketAddress unix = SocketAddress.Unix.of(dir.resolve("d").toString());
        SocketAddress vsock = new SocketAddress.Vsock("2", "17221");
        SocketAddress fd = new SocketAddress.Fd("nosuchfd");
        try (BackendHarness h = new BackendHarness()) {
            assertEquals("can't resolve host address '::1'", refusal(h, dgram(null, SocketAddress.Inet.of("::1", "1"))));
            assertEquals("can't resolve host address '::1'", refusal(h, dgram(fd, SocketAddress.Inet.of("::1", "1"))));
            assertEquals("port number 'x' is invalid", refusal(h, dgram(unix, SocketAddress.Inet.of("127.0.0.1", "x"))));
            assertEquals("port number 'y' is invalid", refusal(h, dgram(SocketAddress.Inet.of("127.0.0.1", "x"),
                    SocketAddress.Inet.of("127.0.0.1", "y"))));
            assertEquals("can't resolve host address 'remote.invalid'", refusal(h, dgram(
                    SocketAddress.Inet.of("local.invalid", "0"), SocketAddress.Inet.of("remote.invalid", "1"))));

            assertEquals("dgram requires local= parameter", refusal(h, dgram(null, null)));
            assertEquals("dgram requires local= parameter", refusal(h, dgram(null, unix)));
            assertEquals("type=inet or type=unix requires remote parameter", refusal(h, dgram(unicast, null)));
            assertEquals("type=inet or type=unix requires remote parameter", refusal(h, dgram(vsock, null)));
            assertEquals("remote and local types must be the same", refusal(h, dgram(unicast, unix)));
            assertEquals("remote and local types must be the same", refusal(h, dgram(vsock, unicast)));
            assertEquals("don't set remote with local.fd", refusal(h, dgram(fd, unix)));
            assertEquals("only support inet or fd type for local", refusal(h, dgram(vsock, vsock)));
            assertEquals("File descriptor named 'nosuchfd' has not been found", refusal(h, dgram(fd, null)));

            assertEquals("only support inet or fd type for local", refusal(h, dgram(unix, group)));
            assertEquals("only support inet or fd type for local", refusal(h, dgram(vsock, group)));
            assertEquals("File descriptor named 'nosuchfd' has not been found", refusal(h, dgram(fd, group)));
        }
    }

    private static NetdevConfig.Dgram dgram(SocketAddress local, SocketAddress remote) {
        return new NetdevConfig.Dgram("d", Optional.ofNullable(local), Optional.ofNullable(remote));
    }

    static String refusal(BackendHarness h, NetdevConfig config) {
        return assertThrows(NetException.class, () -> h.open(config)).desc();
    }
}
