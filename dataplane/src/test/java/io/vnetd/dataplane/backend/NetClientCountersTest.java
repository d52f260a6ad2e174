package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.MAC_C;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.backend.BackendHarness.freeTcpPort;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_FILTER;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_NOT_CONNECTED;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_PEER_ABSENT;
import static io.vnetd.model.netclient.NetClientCounter.RX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static io.vnetd.model.netclient.NetClientRef.nic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.NicModel;
import io.vnetd.model.nic.RxFilter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The counters the control plane lists for each net client ({@code DataPlane.counters(NetClientRef)}):
 * a port's with its backend's, moved by frames from real sockets, each drop under its reason.
 */
class NetClientCountersTest {

    private static final MacAddress NIC_MAC = MacAddress.of("52:54:00:12:34:56");

    private static NicConfig nicConfig(String name) {
        return new NicConfig(name, Optional.of(name), NicModel.VIRTIO_NET_PCI, Optional.empty(), NIC_MAC,
                "/machine/peripheral/" + name, Optional.empty(), Optional.empty(), false);
    }

    private static NetdevConfig.Hubport hubport(String id) {
        return new NetdevConfig.Hubport(id, 0, Optional.empty());
    }

    private static NetClientCounters counters(BackendHarness h, NetClientRef client) {
        return h.dp.counters(client).orElseThrow(() -> new AssertionError("no counters for " + client));
    }

    @Test
    void aPortOpenedButNotYetTakenByTheAgentListsZeros() {
        try (BackendHarness h = new BackendHarness()) {
            h.dp.open(hubport("hp0"));
            assertEquals(Optional.of(NetClientCounters.ZERO), h.dp.counters(netdev("hp0")), "before the agent ran");
            h.settle();
            assertEquals(Optional.of(NetClientCounters.ZERO), h.dp.counters(netdev("hp0")), "once it has");
            assertEquals(Optional.empty(), h.dp.counters(netdev("never-opened")));
        }
    }

    /** dgram d0 - hp0 [hub 0] hp1 - NIC vnic; hp2 on the hub has no peer. */
    @Test
    void framesFromASocketMoveEveryCounterOnTheirWayAndDropsShowTheirReason() throws IOException {
        int local = freeUdpPort();
        try (BackendHarness h = new BackendHarness();
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int remotePort = ((InetSocketAddress) remote.getLocalAddress()).getPort();
            h.open(DgramBackendTest.inet("d0", "127.0.0.1", local, "127.0.0.1", remotePort));
            h.open(hubport("hp0"));
            h.open(hubport("hp1"));
            h.open(hubport("hp2"));
            h.dp.openNic(nicConfig("vnic"), RxFilter.reset(NIC_MAC));
            h.dp.connect(netdev("d0"), netdev("hp0"));
            h.dp.connect(netdev("hp1"), nic("vnic"));
            h.settle();

            InetSocketAddress to = new InetSocketAddress("127.0.0.1", local);
            remote.send(ByteBuffer.wrap(frame(MAC_A, MAC_B, 1, 60)), to);
            h.await("the frame at the NIC", () -> counters(h, nic("vnic")).get(RX_FRAMES) == 1);

            assertEquals(NetClientCounters.of(Map.of(TX_FRAMES, 1L, TX_BYTES, 60L)), counters(h, netdev("d0")));
            assertEquals(NetClientCounters.of(Map.of(RX_FRAMES, 1L, RX_BYTES, 60L)), counters(h, netdev("hp0")));
            assertEquals(NetClientCounters.of(Map.of(TX_FRAMES, 1L, TX_BYTES, 60L)), counters(h, netdev("hp1")));
            assertEquals(NetClientCounters.of(Map.of(TX_FRAMES, 1L, TX_BYTES, 60L, DROPPED_PEER_ABSENT, 1L)),
                    counters(h, netdev("hp2")));
            assertEquals(NetClientCounters.of(Map.of(RX_FRAMES, 1L, RX_BYTES, 60L)), counters(h, nic("vnic")));

            // The guest's filter takes only its own MAC (MAC_A) now; a frame to another is refused at the NIC.
            h.dp.setRxFilter("vnic", RxFilter.reset(NIC_MAC).withFlag(RxFilter.RxFlag.PROMISC, false));
            h.settle();
            remote.send(ByteBuffer.wrap(frame(MAC_C, MAC_B, 2, 60)), to);
            h.await("the filter's drop", () -> counters(h, nic("vnic")).get(DROPPED_FILTER) == 1);

            h.dp.setLink(nic("vnic"), false);
            h.settle();
            remote.send(ByteBuffer.wrap(frame(MAC_A, MAC_B, 3, 60)), to);
            h.await("the link's drop", () -> counters(h, nic("vnic")).get(DROPPED_LINK_DOWN) == 1);

            assertEquals(NetClientCounters.of(Map.of(RX_FRAMES, 1L, RX_BYTES, 60L, DROPPED_LINK_DOWN, 1L, DROPPED_FILTER, 1L)),
                    counters(h, nic("vnic")));
            assertEquals(NetClientCounters.of(Map.of(TX_FRAMES, 3L, TX_BYTES, 180L, DROPPED_PEER_ABSENT, 3L)),
                    counters(h, netdev("hp2")));
        }
    }

    @Test
    void aServerWithoutAClientDropsWhatItIsGivenAsNotConnected() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(new NetdevConfig.Stream("s0", SocketAddress.Inet.of("127.0.0.1", String.valueOf(freeTcpPort())),
                    Optional.of(true), Optional.empty()));
            BackendHarness.Peer peer = h.peerOf("s0");
            h.settle();
            peer.send(frame(MAC_A, MAC_B, 1));
            peer.send(frame(MAC_A, MAC_B, 2));
            h.settle();

            NetClientCounters s0 = counters(h, netdev("s0"));
            assertEquals(2, s0.get(RX_FRAMES));
            assertEquals(128, s0.get(RX_BYTES));
            assertEquals(2, s0.get(DROPPED_NOT_CONNECTED));
        }
    }

    @Test
    void aClientWithoutAPortHasNoCounters() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(hubport("hp0"));
            h.settle();
            assertTrue(h.dp.counters(netdev("hp0")).isPresent());
            assertEquals(Optional.empty(), h.dp.counters(netdev("gone")));
            assertEquals(Optional.empty(), h.dp.counters(nic("hp0")));
            h.dp.close(netdev("hp0"));
            h.settle();
            assertEquals(Optional.empty(), h.dp.counters(netdev("hp0")));
        }
    }
}
