package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_FILTER;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LOOP;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_PEER_ABSENT;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_RING_FULL;
import static io.vnetd.model.netclient.NetClientCounter.RX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.filter.FrameFilter;
import io.vnetd.dataplane.filter.VirtioRxFilter;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.nic.MacAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** QEMU's forwarding rules (net/net.c, net/hub.c), frame by frame. */
class ForwardingTest {

    private final Harness h = new Harness(Harness.small().controlQueueCapacity(256));
    private final DataPlane dp = h.dataPlane;

    @AfterEach
    void close() {
        h.close();
    }

    /** A port's counters after it sent one frame and received one, nothing dropped. */
    private static NetClientCounters oneFrameEachWay(long sentBytes, long receivedBytes) {
        return NetClientCounters.of(Map.of(TX_FRAMES, 1L, TX_BYTES, sentBytes, RX_FRAMES, 1L, RX_BYTES, receivedBytes));
    }

    private static List<Integer> sequences(List<byte[]> frames) {
        return frames.stream().map(Frames::sequence).toList();
    }

    @Test
    void peersDeliverToEachOtherInBothDirections() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        dp.connect(netdev("a"), netdev("b"));
        h.step();

        assertTrue(a.send(frame(MAC_B, MAC_A, 1)));
        assertTrue(b.send(frame(MAC_A, MAC_B, 2, 100)));
        h.step();

        assertEquals(List.of(1), sequences(b.received()));
        assertEquals(List.of(2), sequences(a.received()));
        assertEquals(oneFrameEachWay(64, 100), h.counters("a"));
        assertEquals(oneFrameEachWay(100, 64), h.counters("b"));
    }

    @Test
    void aHubJoinsTwoEndpointsThroughTheirHubports() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        h.acrossHub("a", "b");
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        b.send(frame(MAC_A, MAC_B, 2));
        h.step();

        assertEquals(List.of(1), sequences(b.received()));
        assertEquals(List.of(2), sequences(a.received()));
        // Each hubport received one frame from its peer and sent the one the other brought in.
        assertEquals(oneFrameEachWay(64, 64), h.counters("ha"));
        assertEquals(oneFrameEachWay(64, 64), h.counters("hb"));
    }

    @Test
    void aHubFansAFrameOutToEveryOtherPortButNotBackToTheSender() {
        TestEndpoint[] e = new TestEndpoint[4];
        for (int i = 0; i < e.length; i++) {
            e[i] = h.endpoint("e" + i);
            h.hubport("h" + i, 7);
            dp.connect(netdev("e" + i), netdev("h" + i));
        }
        h.step();

        e[0].send(frame(Frames.MULTICAST, MAC_A, 42));
        h.step();

        assertEquals(List.of(), e[0].received());
        for (int i = 1; i < e.length; i++) {
            assertEquals(List.of(42), sequences(e[i].received()), "e" + i);
        }
        assertEquals(1, h.counters("h0").get(RX_FRAMES));
        assertEquals(0, h.counters("h0").get(TX_FRAMES));
        assertEquals(1, h.counters("h3").get(TX_FRAMES));
    }

    @Test
    void aSenderWithItsLinkDownDropsWhatItSends() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        dp.connect(netdev("a"), netdev("b"));
        dp.setLink(netdev("a"), false);
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        h.step();
        assertEquals(List.of(), b.received());
        assertEquals(1, h.counters("a").get(TX_FRAMES));
        assertEquals(1, h.counters("a").get(DROPPED_LINK_DOWN));

        dp.setLink(netdev("a"), true);
        a.send(frame(MAC_B, MAC_A, 2));
        h.step();
        assertEquals(List.of(2), sequences(b.received()));
    }

    @Test
    void aReceiverWithItsLinkDownDropsWhatItIsSent() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        dp.connect(netdev("a"), netdev("b"));
        dp.setLink(netdev("b"), false);
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        h.step();

        assertEquals(List.of(), b.received());
        assertEquals(NetClientCounters.of(Map.of(TX_FRAMES, 1L, TX_BYTES, 64L)), h.counters("a"), "sent, not dropped");
        assertEquals(1, h.counters("b").get(DROPPED_LINK_DOWN));
        assertEquals(0, h.counters("b").get(RX_FRAMES));
    }

    @Test
    void aHubportWithItsLinkDownNeitherSendsNorReceives() {
        TestEndpoint[] e = new TestEndpoint[3];
        for (int i = 0; i < e.length; i++) {
            e[i] = h.endpoint("e" + i);
            h.hubport("h" + i, 0);
            dp.connect(netdev("e" + i), netdev("h" + i));
        }
        dp.setLink(netdev("h1"), false);
        h.step();

        // Egress: h1 does not send e0's frame on to e1; h2 does to e2.
        e[0].send(frame(MAC_B, MAC_A, 1));
        h.step();
        assertEquals(List.of(), e[1].received());
        assertEquals(List.of(1), sequences(e[2].received()));
        assertEquals(1, h.counters("h1").get(DROPPED_LINK_DOWN));

        // Ingress: h1 does not take e1's frame into the hub.
        e[1].send(frame(MAC_A, MAC_B, 2));
        h.step();
        assertEquals(List.of(), e[0].received());
        assertEquals(List.of(), e[2].received());
        assertEquals(2, h.counters("h1").get(DROPPED_LINK_DOWN));
        assertEquals(0, h.counters("h1").get(RX_FRAMES));
    }

    @Test
    void aPortWithoutAPeerDropsWhatItSends() {
        TestEndpoint lone = h.endpoint("lone");
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        h.hubport("ha", 0);
        h.hubport("hb", 0);
        h.hubport("dangling", 0);
        dp.connect(netdev("a"), netdev("ha"));
        dp.connect(netdev("b"), netdev("hb"));
        h.step();

        lone.send(frame(MAC_B, MAC_A, 1));
        a.send(frame(MAC_B, MAC_A, 2));
        h.step();

        assertEquals(1, h.counters("lone").get(DROPPED_PEER_ABSENT));
        assertEquals(List.of(2), sequences(b.received()));
        assertEquals(1, h.counters("dangling").get(TX_FRAMES));
        assertEquals(1, h.counters("dangling").get(DROPPED_PEER_ABSENT));
    }

    @Test
    void aPeeringAskedForBeforeBothPortsExistTakesEffectOnceTheyDo() {
        dp.connect(netdev("a"), netdev("b"));
        TestEndpoint a = h.endpoint("a");
        h.step();
        a.send(frame(MAC_B, MAC_A, 1));
        h.step();
        assertEquals(1, h.counters("a").get(DROPPED_PEER_ABSENT));

        TestEndpoint b = h.endpoint("b");
        h.step();
        a.send(frame(MAC_B, MAC_A, 2));
        h.step();
        assertEquals(List.of(2), sequences(b.received()));
    }

    @Test
    void closingAPortLeavesItsPeerPeerlessEvenIfTheNameComesBack() {
        TestEndpoint a = h.endpoint("a");
        h.endpoint("b");
        dp.connect(netdev("a"), netdev("b"));
        dp.close(netdev("b"));
        h.step();
        a.send(frame(MAC_B, MAC_A, 1));
        h.step();
        assertEquals(1, h.counters("a").get(DROPPED_PEER_ABSENT));

        TestEndpoint b = h.endpoint("b");
        h.step();
        a.send(frame(MAC_B, MAC_A, 2));
        h.step();
        assertEquals(List.of(), b.received());
        assertEquals(2, h.counters("a").get(DROPPED_PEER_ABSENT));
    }

    @Test
    void disconnectRemovesThePeeringOnBothSides() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        dp.connect(netdev("a"), netdev("b"));
        dp.disconnect(netdev("b"));
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        b.send(frame(MAC_A, MAC_B, 2));
        h.step();

        assertEquals(1, h.counters("a").get(DROPPED_PEER_ABSENT));
        assertEquals(1, h.counters("b").get(DROPPED_PEER_ABSENT));
    }

    @Test
    void connectingAPeeredPortReplacesItsEarlierPeering() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        TestEndpoint c = h.endpoint("c");
        dp.connect(netdev("a"), netdev("b"));
        dp.connect(netdev("a"), netdev("c"));
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        b.send(frame(MAC_A, MAC_B, 2));
        h.step();

        assertEquals(List.of(1), sequences(c.received()));
        assertEquals(List.of(), b.received());
        assertEquals(1, h.counters("b").get(DROPPED_PEER_ABSENT));
    }

    @Test
    void hubportsOfDifferentHubsCanBePeers() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        h.hubport("h1a", 1);
        h.hubport("h1x", 1);
        h.hubport("h2x", 2);
        h.hubport("h2b", 2);
        dp.connect(netdev("a"), netdev("h1a"));
        dp.connect(netdev("h1x"), netdev("h2x"));
        dp.connect(netdev("h2b"), netdev("b"));
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        b.send(frame(MAC_A, MAC_B, 2));
        h.step();

        assertEquals(List.of(1), sequences(b.received()));
        assertEquals(List.of(2), sequences(a.received()));
        assertEquals(oneFrameEachWay(64, 64), h.counters("h1x"));
    }

    @Test
    void aFrameThatWouldCrossAHubAgainIsDroppedAsALoop() {
        // Two hubs joined twice: QEMU would circulate the frame forever.
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        h.hubport("x", 1);
        h.hubport("p", 1);
        h.hubport("q", 1);
        h.hubport("r", 2);
        h.hubport("s", 2);
        h.hubport("y", 2);
        dp.connect(netdev("a"), netdev("x"));
        dp.connect(netdev("p"), netdev("r"));
        dp.connect(netdev("q"), netdev("s"));
        dp.connect(netdev("y"), netdev("b"));
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        h.step();

        // Once over each link into hub 2, each copy then stopped at the hubport back into hub 1.
        assertEquals(List.of(1, 1), sequences(b.received()));
        assertEquals(List.of(), a.received());
        assertEquals(1, h.counters("p").get(DROPPED_LOOP));
        assertEquals(1, h.counters("q").get(DROPPED_LOOP));
    }

    @Test
    void aFrameCrossingMoreHubsThanTheBoundIsDroppedAsALoop() {
        try (Harness bounded = new Harness(Harness.small().maxHubHops(2))) {
            bounded.acrossThreeHubs("a", "b");
            bounded.step();
            TestEndpoint a = new TestEndpoint(bounded.dataPlane.attachEndpoint("a"));
            TestEndpoint b = new TestEndpoint(bounded.dataPlane.attachEndpoint("b"));
            bounded.step();

            a.send(frame(MAC_B, MAC_A, 1));
            bounded.step();

            assertEquals(List.of(), b.received());
            assertEquals(1, bounded.counters("in3").get(DROPPED_LOOP));
        }
        try (Harness enough = new Harness(Harness.small().maxHubHops(3))) {
            enough.acrossThreeHubs("a", "b");
            TestEndpoint a = new TestEndpoint(enough.dataPlane.attachEndpoint("a"));
            TestEndpoint b = new TestEndpoint(enough.dataPlane.attachEndpoint("b"));
            enough.step();

            a.send(frame(MAC_B, MAC_A, 1));
            enough.step();

            assertEquals(List.of(1), sequences(b.received()));
        }
    }

    @Test
    void aDenseMeshOfHubsCannotMakeARouteExplode() {
        // Seven hubs in a row, each joined to the next by four links: 4^6 paths from a to b.
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        h.hubport("in", 1);
        h.hubport("out", 7);
        dp.connect(netdev("a"), netdev("in"));
        dp.connect(netdev("out"), netdev("b"));
        for (int hub = 1; hub < 7; hub++) {
            for (int link = 0; link < 4; link++) {
                h.hubport("l" + hub + "." + link, hub);
                h.hubport("r" + hub + "." + link, hub + 1);
                dp.connect(netdev("l" + hub + "." + link), netdev("r" + hub + "." + link));
            }
        }
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        h.step();

        NetClientCounters atB = h.counters("b");
        long copies = atB.get(RX_FRAMES) + atB.get(DROPPED_RING_FULL);
        assertTrue(copies > 0 && copies < 4096, "copies delivered: " + copies);
        long loops = dp.counters().values().stream().mapToLong(c -> c.get(DROPPED_LOOP)).sum();
        assertTrue(loops > 0, "loop drops: " + loops);
    }

    @Test
    void aPortCannotBeItsOwnPeer() {
        assertThrows(IllegalArgumentException.class, () -> dp.connect(netdev("a"), netdev("a")));
    }

    @Test
    void aFullRingDropsAndCountsWhatDoesNotFit() {
        try (Harness tight = new Harness(Harness.small().outboundRingCapacity(1024).maxFrameLength(128))) {
            TestEndpoint a = new TestEndpoint(tight.dataPlane.attachEndpoint("a"));
            TestEndpoint b = new TestEndpoint(tight.dataPlane.attachEndpoint("b"));
            tight.dataPlane.connect(netdev("a"), netdev("b"));
            tight.step();

            for (int i = 0; i < 50; i++) {
                a.send(frame(MAC_B, MAC_A, i));
            }
            tight.step();

            NetClientCounters counters = tight.counters("b");
            assertTrue(counters.get(DROPPED_RING_FULL) > 0, counters.toString());
            assertEquals(50, counters.get(RX_FRAMES) + counters.get(DROPPED_RING_FULL));
            assertEquals(counters.get(RX_FRAMES), b.received().size());

            a.send(frame(MAC_B, MAC_A, 99));
            tight.step();
            assertEquals(List.of(99), sequences(b.received()));
        }
    }

    @Test
    void aFrameFromAnEndpointIsReceivedByItsPeerOnlyIfItsFilterAccepts() {
        TestEndpoint a = h.endpoint("a");
        TestEndpoint b = h.endpoint("b");
        dp.connect(netdev("a"), netdev("b"));
        dp.setPortRxFilter("b", VirtioRxFilter.builder(MAC_B).promiscuous(false).build());
        h.step();

        a.send(frame(MAC_B, MAC_A, 1));
        a.send(frame(Frames.MAC_C, MAC_A, 2));
        a.send(frame(MacAddress.BROADCAST.bits(), MAC_A, 3));
        h.step();
        assertEquals(List.of(1, 3), sequences(b.received()));
        assertEquals(1, h.counters("b").get(DROPPED_FILTER));

        dp.setPortRxFilter("b", FrameFilter.ACCEPT_ALL);
        a.send(frame(Frames.MAC_C, MAC_A, 4));
        h.step();
        assertEquals(List.of(4), sequences(b.received()));
    }
}
