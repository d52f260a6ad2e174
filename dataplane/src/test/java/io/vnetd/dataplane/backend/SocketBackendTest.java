package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.backend.BackendHarness.freeTcpPort;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.dataplane.backend.BackendHarness.Peer;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** QEMU's older socket backend: TCP listen/connect with length prefixes, UDP and multicast raw, its errors. */
class SocketBackendTest {

    static NetdevConfig.Socket listen(String id, String address) {
        return new NetdevConfig.Socket(id, Optional.empty(), Optional.of(address), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    static NetdevConfig.Socket connect(String id, String address) {
        return new NetdevConfig.Socket(id, Optional.empty(), Optional.empty(), Optional.of(address), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    static NetdevConfig.Socket udp(String id, String address, String localaddr) {
        return new NetdevConfig.Socket(id, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(localaddr), Optional.of(address));
    }

    static NetdevConfig.Socket mcast(String id, String group, Optional<String> localaddr) {
        return new NetdevConfig.Socket(id, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(group),
                localaddr, Optional.empty());
    }

    @Test
    void listenAcceptsAConnectionAndCarriesLengthPrefixedFrames() {
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(listen("srv", "127.0.0.1:" + port));
            Peer peer = h.peerOf("srv");
            h.settle();
            assertEquals("", h.describe("srv"));
            try (StreamPeer client = StreamPeer.connectTcp(h, port)) {
                h.await("the connection", () -> !h.describe("srv").isEmpty());
                assertEquals("socket: connection from 127.0.0.1:" + client.localPort(), h.describe("srv"));

                byte[] in = frame(MAC_B, MAC_A, 1, 60);
                client.writeFrame(in);
                h.await("a frame", () -> peer.received().size() == 1);
                assertArrayEquals(in, peer.received().getFirst());
                byte[] out = frame(MAC_A, MAC_B, 2, 1500);
                peer.send(out);
                assertArrayEquals(StreamPeer.prefixed(out), client.read(1504));
            }
            h.await("the disconnection", () -> h.describe("srv").isEmpty());
            assertEquals(List.of(), h.events, "the socket backend announces nothing");
        }
    }

    @Test
    void connectCarriesFramesUntilTheConnectionEndsAndNeverRetries() throws IOException {
        try (BackendHarness h = new BackendHarness();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            h.open(connect("cli", "127.0.0.1:" + port));
            Peer peer = h.peerOf("cli");
            assertEquals("socket: connect to 127.0.0.1:" + port, h.describe("cli"));
            try (StreamPeer server = StreamPeer.of(h, listener.accept())) {
                byte[] out = frame(MAC_A, MAC_B, 1, 77);
                peer.send(out);
                assertArrayEquals(StreamPeer.prefixed(out), server.read(81));
                byte[] in = frame(MAC_B, MAC_A, 2, 1400);
                server.writeFrame(in);
                h.await("a frame", () -> peer.received().size() == 1);
                assertArrayEquals(in, peer.received().getFirst());
            }
            h.await("the end of the connection", () -> h.describe("cli").isEmpty());
            listener.configureBlocking(false);
            h.settle();
            SocketChannel again = listener.accept();
            assertEquals(null, again, "no reconnection");
        }
    }

    @Test
    void aRefusedConnectIsNotAnErrorAndLeavesNoDescription() {
        try (BackendHarness h = new BackendHarness()) {
            int port = freeTcpPort();
            h.open(connect("cli2", "127.0.0.1:" + port));
            h.await("the refusal", () -> h.describe("cli2").isEmpty());
        }
    }

    @Test
    void udpCarriesRawFramesBothWays() throws IOException {
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int remotePort = ((InetSocketAddress) remote.getLocalAddress()).getPort();
            h.open(udp("u0", "127.0.0.1:" + remotePort, "127.0.0.1:" + local));
            Peer peer = h.peerOf("u0");
            h.settle();
            assertEquals("socket: udp=127.0.0.1:" + remotePort, h.describe("u0"));

            byte[] in = frame(MAC_B, MAC_A, 1, 64);
            remote.send(ByteBuffer.wrap(in), new InetSocketAddress("127.0.0.1", local));
            h.await("a frame", () -> peer.received().size() == 1);
            assertArrayEquals(in, peer.received().getFirst());

            byte[] out = frame(MAC_A, MAC_B, 2, 1000);
            peer.send(out);
            h.settle();
            ByteBuffer got = ByteBuffer.allocate(2000);
            remote.receive(got);
            assertArrayEquals(out, java.util.Arrays.copyOf(got.array(), got.position()));
        }
    }

    @Test
    void multicastMembersOnLoopbackHearEachOther() {
        int port = freeUdpPort();
        try (BackendHarness h = new BackendHarness()) {
            try {
                h.open(mcast("m0", "230.0.0.1:" + port, Optional.of("127.0.0.1")));
                h.open(mcast("m1", "230.0.0.1:" + port, Optional.of("127.0.0.1")));
            } catch (NetException e) {
                assumeTrue(false, "no multicast on the loopback interface here: " + e.desc());
            }
            assertEquals("socket: mcast=230.0.0.1:" + port, h.describe("m0"));
            Peer zero = h.peerOf("m0");
            Peer one = h.peerOf("m1");
            h.settle();
            byte[] out = frame(MAC_A, MAC_B, 1, 128);
            zero.send(out);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
            while (one.received().isEmpty() && System.nanoTime() - deadline < 0) {
                h.step();
            }
            assumeTrue(!one.received().isEmpty(), "multicast sent on 127.0.0.1 did not loop back: no multicast route");
            assertArrayEquals(out, one.received().getFirst());
            // IP_MULTICAST_LOOP: the sender's own socket is a member too, as in QEMU.
            h.await("the sender's own copy", () -> zero.received().size() == 1);
            assertArrayEquals(out, zero.received().getFirst());
        }
    }

    @Test
    void errorsHaveQemusWording() {
        try (BackendHarness h = new BackendHarness()) {
            int port = freeTcpPort();
            h.open(listen("srv", "127.0.0.1:" + port));
            assertEquals("can't bind ip=127.0.0.1 to socket: Address already in use",
                    refusal(h, listen("srv2", "127.0.0.1:" + port)));
            h.open(listen("srv3", ":" + freeTcpPort()));
            assertEquals("host address '127.0.0.1' doesn't contain ':' separating host from port",
                    refusal(h, connect("cli3", "127.0.0.1")));
            assertEquals("host address '127.0.0.1' doesn't contain ':' separating host from port",
                    refusal(h, udp("u2", "127.0.0.1:17163", "127.0.0.1")));
            assertEquals("specified mcastaddr 127.0.0.1 (0x7f000001) does not contain a multicast address",
                    refusal(h, mcast("m", "127.0.0.1:17170", Optional.empty())));
            assertEquals("localaddr 'nohost.invalid' is not a valid IPv4 address",
                    refusal(h, mcast("m3", "230.0.0.3:17172", Optional.of("nohost.invalid"))));
            assertEquals("can't resolve host address '[ff02'", refusal(h, mcast("m4", "[ff02::1]:17173", Optional.empty())));
            assertEquals("port number 'x' is invalid", refusal(h, connect("c", "127.0.0.1:x")));
            assertEquals("File descriptor named 'nosuchfd' has not been found", refusal(h,
                    new NetdevConfig.Socket("f", Optional.of("nosuchfd"), Optional.empty(), Optional.empty(),
                            Optional.empty(), Optional.empty(), Optional.empty())));
            assertTrue(h.dp.counters("srv2").isEmpty(), "a refused netdev leaves no port");
        }
    }

    static String refusal(BackendHarness h, NetdevConfig config) {
        return assertThrows(NetException.class, () -> h.open(config)).desc();
    }
}
