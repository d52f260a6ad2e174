package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.backend.BackendHarness.freeTcpPort;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_NOT_CONNECTED;
import static io.vnetd.model.netclient.NetClientCounter.PEER_ERRORS;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.dataplane.backend.BackendHarness.Peer;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import io.vnetd.model.service.NetEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream backend: QEMU's length-prefixed wire format, one client at a time, reconnect, events, descriptions. */
class StreamBackendTest {

    @TempDir
    Path dir;

    static NetdevConfig.Stream server(String id, SocketAddress addr) {
        return new NetdevConfig.Stream(id, addr, Optional.of(true), Optional.empty());
    }

    static NetdevConfig.Stream client(String id, SocketAddress addr, Optional<Long> reconnect) {
        return new NetdevConfig.Stream(id, addr, Optional.empty(), reconnect);
    }

    static SocketAddress.Inet loopback(int port) {
        return SocketAddress.Inet.of("127.0.0.1", String.valueOf(port));
    }

    static SocketAddress.Inet inetPeer(String host, int port, boolean ipv6) {
        return new SocketAddress.Inet(host, String.valueOf(port), Optional.empty(), Optional.empty(),
                ipv6 ? Optional.empty() : Optional.of(true), ipv6 ? Optional.of(true) : Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    @Test
    void aServerCarriesLengthPrefixedFramesBothWaysByteForByte() {
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", loopback(port)));
            Peer peer = h.peerOf("ss0");
            h.settle();
            assertEquals("", h.describe("ss0"), "listening, no client");

            try (StreamPeer client = StreamPeer.connectTcp(h, port)) {
                h.await("the connection", () -> !h.events.isEmpty());
                assertEquals(List.of(new NetEvent.NetdevStreamConnected("ss0", inetPeer("127.0.0.1", client.localPort(), false))),
                        h.events);
                assertEquals("tcp:127.0.0.1:" + client.localPort(), h.describe("ss0"));

                byte[] in = frame(MAC_B, MAC_A, 1, 60);
                client.write(StreamPeer.prefixed(in));
                h.await("a frame from the client", () -> peer.received().size() == 1);
                assertArrayEquals(in, peer.received().getFirst());

                byte[] out = frame(MAC_A, MAC_B, 2, 1500);
                peer.send(out);
                byte[] wire = client.read(4 + 1500);
                assertArrayEquals(new byte[] {0, 0, 0x05, (byte) 0xdc}, Arrays.copyOf(wire, 4), "4-byte big-endian length");
                assertArrayEquals(out, Arrays.copyOfRange(wire, 4, wire.length));
            }
            h.await("the disconnection", () -> h.events.size() == 2);
            assertEquals(new NetEvent.NetdevStreamDisconnected("ss0"), h.events.get(1));
            assertEquals("", h.describe("ss0"));
        }
    }

    /**
     * Batches of 4 frames per duty cycle: with coalescing, the 12 frames delivered over three cycles
     * leave in one write once the switch has none left; without, each cycle writes its own.
     */
    @Test
    void writesWaitForTheFramesTheSwitchStillHasThenGoTogether() {
        for (long coalesceNs : new long[] {TimeUnit.SECONDS.toNanos(30), 0}) {
            int port = freeTcpPort();
            try (BackendHarness h = new BackendHarness(c -> c.batchLimit(4).streamCoalesceNs(coalesceNs))) {
                h.open(server("ss0", loopback(port)));
                Peer peer = h.peerOf("ss0");
                try (StreamPeer client = StreamPeer.connectTcp(h, port)) {
                    h.await("the connection", () -> !h.events.isEmpty());
                    h.settle();
                    for (int i = 0; i < 12; i++) {
                        peer.send(frame(MAC_A, MAC_B, i, 60));
                    }
                    int wire = 4 + 60;
                    h.step();
                    h.step();
                    assertEquals(coalesceNs > 0 ? 0 : 8 * wire, client.drain(), "after two cycles");
                    h.step();
                    assertEquals(coalesceNs > 0 ? 12 * wire : 4 * wire, client.drain(), "after the third");
                }
            }
        }
    }

    @Test
    void framesAreReassembledAcrossSplitWritesAndSeveralPerWrite() {
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", loopback(port)));
            Peer peer = h.peerOf("ss0");
            byte[] a = frame(MAC_B, MAC_A, 1, 64);
            byte[] b = frame(MAC_B, MAC_A, 2, 1514);
            byte[] c = frame(MAC_B, MAC_A, 3, 60);
            byte[] d = new byte[0];
            try (StreamPeer client = StreamPeer.connectTcp(h, port)) {
                h.await("the connection", () -> !h.events.isEmpty());
                byte[] first = StreamPeer.prefixed(a);
                client.write(Arrays.copyOfRange(first, 0, 2));
                h.settle();
                client.write(Arrays.copyOfRange(first, 2, 3));
                h.settle();
                client.write(Arrays.copyOfRange(first, 3, 20));
                h.settle();
                assertEquals(0, peer.received().size(), "nothing before the frame is whole");
                ByteBuffer rest = ByteBuffer.allocate(first.length - 20 + 3 * 4 + b.length + c.length + d.length);
                rest.put(first, 20, first.length - 20).put(StreamPeer.prefixed(b)).put(StreamPeer.prefixed(c))
                        .put(StreamPeer.prefixed(d));
                client.write(rest.array());
                h.await("four frames", () -> peer.received().size() == 4);
            }
            assertArrayEquals(a, peer.received().get(0));
            assertArrayEquals(b, peer.received().get(1));
            assertArrayEquals(c, peer.received().get(2));
            assertArrayEquals(d, peer.received().get(3));
        }
    }

    @Test
    void aServerServesOneClientAtATimeAndTakesTheNextAfterADisconnect() {
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", loopback(port)));
            Peer peer = h.peerOf("ss0");
            StreamPeer first = StreamPeer.connectTcp(h, port);
            try (StreamPeer second = StreamPeer.connectTcp(h, port)) {
                h.await("the first connection", () -> h.events.size() == 1);
                byte[] waiting = frame(MAC_B, MAC_A, 2);
                second.writeFrame(waiting);
                h.settle();
                assertEquals(List.of(), peer.received(), "the second client waits in the backlog");
                assertEquals("tcp:127.0.0.1:" + first.localPort(), h.describe("ss0"));

                first.close();
                h.await("the second connection", () -> h.events.size() == 3);
                assertEquals(new NetEvent.NetdevStreamDisconnected("ss0"), h.events.get(1));
                assertEquals(new NetEvent.NetdevStreamConnected("ss0", inetPeer("127.0.0.1", second.localPort(), false)),
                        h.events.get(2));
                h.await("the second client's frame", () -> peer.received().size() == 1);
                assertArrayEquals(waiting, peer.received().getFirst());
            } finally {
                first.close();
            }
        }
    }

    @Test
    void aClientConnectsAnnouncesItselfAndReconnectsAfterItsServerWent() throws IOException {
        try (BackendHarness h = new BackendHarness();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4)) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            listener.configureBlocking(false);
            h.open(client("sc0", loopback(port), Optional.of(1L)));
            Peer peer = h.peerOf("sc0");

            StreamPeer server = StreamPeer.of(h, accept(h, listener));
            h.await("the connection event", () -> h.events.size() == 1);
            assertEquals(new NetEvent.NetdevStreamConnected("sc0", inetPeer("127.0.0.1", port, false)), h.events.getFirst());
            assertEquals("tcp:127.0.0.1:" + port, h.describe("sc0"));

            byte[] out = frame(MAC_A, MAC_B, 1, 100);
            peer.send(out);
            assertArrayEquals(StreamPeer.prefixed(out), server.read(104));
            byte[] in = frame(MAC_B, MAC_A, 2, 200);
            server.writeFrame(in);
            h.await("a frame from the server", () -> peer.received().size() == 1);
            assertArrayEquals(in, peer.received().getFirst());

            server.close();
            h.await("the disconnection", () -> h.events.size() == 2);
            assertEquals(new NetEvent.NetdevStreamDisconnected("sc0"), h.events.get(1));
            assertEquals("", h.describe("sc0"));

            try (StreamPeer _ = StreamPeer.of(h, accept(h, listener))) {
                h.await("the reconnection", () -> h.events.size() == 3);
                assertEquals(h.events.getFirst(), h.events.get(2));
                assertEquals(2, h.backendCounters("sc0").connections());
            }
        }
    }

    private static SocketChannel accept(BackendHarness h, ServerSocketChannel listener) {
        SocketChannel[] accepted = new SocketChannel[1];
        h.await("a connection from the client", () -> {
            try {
                accepted[0] = listener.accept();
                return accepted[0] != null;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return accepted[0];
    }

    @Test
    void aClientThatCannotConnectReportsAConnectionErrorAndNoEvent() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(client("sc0", loopback(freeTcpPort()), Optional.empty()));
            h.open(client("sc1", SocketAddress.Unix.of(dir.resolve("missing.sock").toString()), Optional.empty()));
            h.open(client("sc2", SocketAddress.Inet.of("nohost.invalid", "1"), Optional.empty()));
            h.await("three failures", () -> "connection error".equals(h.describe("sc0"))
                    && "connection error".equals(h.describe("sc1")) && "connection error".equals(h.describe("sc2")));
            assertEquals(List.of(), h.events);
        }
    }

    @Test
    void aServerThatCannotListenReportsAConnectionErrorWithoutFailingTheCommand() throws IOException {
        try (BackendHarness h = new BackendHarness();
             ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            h.open(server("ss1", loopback(busy.getLocalPort())));
            h.open(server("ss2", SocketAddress.Unix.of(dir.resolve("no/such/dir/s.sock").toString())));
            assertEquals("connection error", h.describe("ss1"));
            assertEquals("connection error", h.describe("ss2"));
        }
    }

    @Test
    void unixServerAndClientConnectAndCarryFrames() {
        String path = dir.resolve("stream.sock").toString();
        crossConnect(SocketAddress.Unix.of(path), SocketAddress.Unix.of(path), "unix:" + path);
        assertFalse(Files.exists(Path.of(path)), "the server's socket file goes with it");
    }

    @Test
    void aClientWhoseAgentWasAsleepIsAnnouncedAfterTheServerAsInQemu() {
        String path = dir.resolve("woken.sock").toString();
        SocketAddress.Unix address = SocketAddress.Unix.of(path);
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", address));
            h.settle();
            h.open(client("sc0", address, Optional.empty()));
            // The agent slept and was woken for the client: its next cycle begins with what that sleep found.
            IoAgent agent = h.dp.ioAgents().getFirst();
            agent.wake();
            agent.sleep(TimeUnit.MILLISECONDS.toNanos(1));
            h.await("both ends connected", () -> h.events.size() == 2);
            assertEquals(List.of(new NetEvent.NetdevStreamConnected("ss0", address),
                    new NetEvent.NetdevStreamConnected("sc0", address)), h.events);
        }
    }

    @Test
    void abstractUnixAddressesAreAnnouncedAsQemuAnnouncesThem() {
        String name = "vnetd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        crossConnect(new SocketAddress.Unix(name, Optional.of(true), Optional.empty()),
                new SocketAddress.Unix(name, Optional.of(true), Optional.of(true)), "unix:" + name);
    }

    @Test
    void ipv6AddressesAreAnnouncedWithTheirFamily() throws IOException {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this host");
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss6", SocketAddress.Inet.of("::1", String.valueOf(port))));
            h.open(client("sc6", SocketAddress.Inet.of("::1", String.valueOf(port)), Optional.empty()));
            h.await("both ends connected", () -> h.events.size() == 2);
            assertTrue(h.events.contains(new NetEvent.NetdevStreamConnected("sc6", inetPeer("::1", port, true))), h.events::toString);
            assertEquals("tcp:::1:" + port, h.describe("sc6"));
            assertTrue(h.describe("ss6").startsWith("tcp:::1:"), h.describe("ss6"));
        }
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A vnetd server and a vnetd client on {@code address}: both announce the connection with the
     * server's address as {@code announced}, the server first (as in QEMU, whose main loop reports a
     * connect's completion after the listener's accept), frames cross both ways, and closing the
     * client is a disconnection for the server.
     */
    private void crossConnect(SocketAddress address, SocketAddress announced, String description) {
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", address));
            h.open(client("sc0", address, Optional.empty()));
            Peer serverSide = h.peerOf("ss0");
            Peer clientSide = h.peerOf("sc0");
            h.await("both ends connected", () -> h.events.size() == 2);
            assertEquals(List.of(new NetEvent.NetdevStreamConnected("ss0", announced),
                    new NetEvent.NetdevStreamConnected("sc0", announced)), h.events);
            assertEquals(description, h.describe("ss0"));
            assertEquals(description, h.describe("sc0"));

            byte[] one = frame(MAC_A, MAC_B, 1, 1514);
            byte[] two = frame(MAC_B, MAC_A, 2, 60);
            clientSide.send(one);
            serverSide.send(two);
            h.await("a frame each way", () -> serverSide.received().size() == 1 && clientSide.received().size() == 1);
            assertArrayEquals(one, serverSide.received().getFirst());
            assertArrayEquals(two, clientSide.received().getFirst());

            h.dp.close(netdev("sc0"));
            h.await("the server's disconnection", () -> h.events.size() == 3);
            assertEquals(new NetEvent.NetdevStreamDisconnected("ss0"), h.events.get(2));
            assertEquals("", h.describe("ss0"));
            h.dp.close(netdev("ss0"));
            h.settle();
            assertEquals(3, h.events.size(), "deleting a netdev announces nothing about it");
        }
    }

    @Test
    void anOpenedStreamIsServedOnlyOnceActivated() throws IOException {
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", port))) {
            listener.configureBlocking(false);
            h.dp.open(client("sc0", loopback(port), Optional.empty()));
            h.dp.open(client("sc1", loopback(port), Optional.empty()));
            h.settle();
            assertEquals(null, listener.accept(), "no connection before the netdev_add is answered");
            h.dp.close(netdev("sc1"));
            h.dp.activate(netdev("sc0"));
            h.await("the connection", () -> h.events.size() == 1);
            assertEquals(new NetEvent.NetdevStreamConnected("sc0", inetPeer("127.0.0.1", port, false)), h.events.getFirst());
            h.dp.activate(netdev("sc1"));
            h.settle();
            assertEquals(1, h.events.size(), "a netdev closed before it was served is never served");
        }
    }

    @Test
    void aFrameLongerThanMaxFrameLengthEndsTheConnection() {
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", loopback(port)));
            try (StreamPeer client = StreamPeer.connectTcp(h, port)) {
                h.await("the connection", () -> h.events.size() == 1);
                client.write(new byte[] {0, 0, 0x20, 0x01});
                assertTrue(client.awaitEndOfStream(), "the backend drops the connection");
                h.await("the disconnection", () -> h.events.size() == 2);
                assertEquals(1, h.backendCounters("ss0").counters().get(PEER_ERRORS));
            }
        }
    }

    @Test
    void framesDeliveredWithoutAConnectionAreDroppedAndCounted() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", loopback(freeTcpPort())));
            Peer peer = h.peerOf("ss0");
            h.settle();
            peer.send(frame(MAC_A, MAC_B, 1));
            h.settle();
            assertEquals(1, h.backendCounters("ss0").counters().get(DROPPED_NOT_CONNECTED));
        }
    }

    @Test
    void closingAServerFreesItsPortAtOnceAndEndsItsConnection() throws IOException {
        int port = freeTcpPort();
        try (BackendHarness h = new BackendHarness()) {
            h.open(server("ss0", loopback(port)));
            try (StreamPeer client = StreamPeer.connectTcp(h, port)) {
                h.await("the connection", () -> h.events.size() == 1);
                h.dp.close(netdev("ss0"));
                try (ServerSocket again = new ServerSocket()) {
                    again.setReuseAddress(true);
                    again.bind(new InetSocketAddress("127.0.0.1", port));
                }
                assertTrue(client.awaitEndOfStream(), "the connection ends with the netdev");
                assertEquals("", h.describe("ss0"));
                assertEquals(1, h.events.size(), "deleting a netdev announces nothing about it");
            }
        }
    }
}
