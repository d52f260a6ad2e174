package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.backend.BackendHarness.Peer;
import io.vnetd.model.netdev.NetdevConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the control plane relies on: link state, idempotent opens, prompt release. */
class BackendLifecycleTest {

    @Test
    void linkDownDropsFramesBothWays() throws IOException {
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int remotePort = ((InetSocketAddress) remote.getLocalAddress()).getPort();
            remote.configureBlocking(false);
            h.open(DgramBackendTest.inet("d0", "127.0.0.1", local, "127.0.0.1", remotePort));
            Peer peer = h.peerOf("d0");
            h.dp.setLink(netdev("d0"), false);
            h.settle();

            remote.send(ByteBuffer.wrap(frame(MAC_B, MAC_A, 1)), new InetSocketAddress("127.0.0.1", local));
            peer.send(frame(MAC_A, MAC_B, 2));
            h.await("both frames dropped", () -> h.portCounters("d0").get(DROPPED_LINK_DOWN) == 2);
            assertEquals(0, peer.received().size());
            assertEquals(null, remote.receive(ByteBuffer.allocate(100)), "nothing reached the socket");

            h.dp.setLink(netdev("d0"), true);
            byte[] in = frame(MAC_B, MAC_A, 3);
            remote.send(ByteBuffer.wrap(in), new InetSocketAddress("127.0.0.1", local));
            h.await("a frame once the link is up", () -> peer.received().size() == 1);
            assertArrayEquals(in, peer.received().getFirst());
        }
    }

    @Test
    void reopeningWithTheSameConfigurationKeepsTheBackend() {
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness()) {
            NetdevConfig.Dgram config = DgramBackendTest.inet("d0", "127.0.0.1", local, "127.0.0.1", 9);
            h.open(config);
            h.open(config);
            assertThrows(IllegalStateException.class,
                    () -> h.open(DgramBackendTest.inet("d0", "127.0.0.1", local, "127.0.0.1", 10)));
            assertEquals(1, h.dp.backendCounters().size());
        }
    }

    @Test
    void closingReleasesTheSocketAtOnceAndTheNameCanBeOpenedAgain() {
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness()) {
            NetdevConfig.Dgram config = DgramBackendTest.inet("d0", "127.0.0.1", local, "127.0.0.1", 9);
            h.open(config);
            h.settle();
            h.dp.close(netdev("d0"));
            try (DatagramChannel again = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", local))) {
                assertTrue(again.isOpen());
            } catch (IOException e) {
                throw new AssertionError("the port is still bound", e);
            }
            assertEquals("", h.describe("d0"));
            h.open(config);
            h.settle();
            assertEquals("udp=127.0.0.1:" + local + "/127.0.0.1:9", h.describe("d0"));
        }
    }

    @Test
    void openingAndClosingManyTimesLeaksNoPortNorCounter() {
        // Room for two ports and their counters: any left behind would soon refuse an open.
        try (BackendHarness h = new BackendHarness(settings -> settings.maxPorts(2))) {
            for (int i = 0; i < 200; i++) {
                h.open(DgramBackendTest.inet("d" + i, "127.0.0.1", 0, "127.0.0.1", 9));
                h.dp.close(netdev("d" + i));
                h.settle();
            }
            assertEquals(List.of(), h.dp.backendCounters());
            assertEquals(Map.of(), h.dp.counters());
        }
    }

    @Test
    void closingTheDataPlaneClosesEveryBackend() {
        int local = freeUdpPort();
        BackendHarness h = new BackendHarness();
        h.open(DgramBackendTest.inet("d0", "127.0.0.1", local, "127.0.0.1", 9));
        h.close();
        try (DatagramChannel again = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", local))) {
            assertTrue(again.isOpen());
        } catch (IOException e) {
            throw new AssertionError("the port is still bound", e);
        }
        assertThrows(IllegalStateException.class, () -> h.open(DgramBackendTest.inet("d1", "127.0.0.1", 0, "127.0.0.1", 9)));
    }
}
