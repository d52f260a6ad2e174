package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.MAC_C;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_FILTER;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_PEER_ABSENT;
import static io.vnetd.model.netclient.NetClientCounter.TX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.filter.VirtioRxFilter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a configuration change costs the switch: link and rx-filter changes compile no route yet
 * apply to the next frame; a change of topology compiles only the routes of the endpoints around it.
 */
class RouteRefreshTest {

    private static List<Integer> sequences(List<byte[]> frames) {
        return frames.stream().map(Frames::sequence).toList();
    }

    @Test
    void linkAndFilterChangesCompileNothingYetApplyToTheNextFrame() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.acrossHub("a", "b");
            h.step();
            long compiled = dp.switchCounters().routesCompiled();

            dp.setLink(netdev("hb"), false);
            h.step();
            a.send(frame(MAC_B, MAC_A, 1));
            h.step();
            dp.setLink(netdev("hb"), true);
            h.step();
            a.send(frame(MAC_B, MAC_A, 2));
            h.step();
            dp.setPortRxFilter("b", VirtioRxFilter.builder(MAC_C).promiscuous(false).build());
            h.step();
            a.send(frame(MAC_B, MAC_A, 3));
            a.send(frame(MAC_C, MAC_A, 4));
            h.step();

            assertEquals(List.of(2, 4), sequences(b.received()));
            assertEquals(1, h.counters("hb").get(DROPPED_LINK_DOWN));
            assertEquals(1, h.counters("b").get(DROPPED_FILTER));
            assertEquals(compiled, dp.switchCounters().routesCompiled());
        }
    }

    @Test
    void portsNoEndpointReachesCompileNothing() {
        try (Harness h = new Harness(Harness.small().maxPorts(1024))) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            h.hubport("ha", 0);
            dp.connect(netdev("a"), netdev("ha"));
            h.step();
            long compiled = dp.switchCounters().routesCompiled();

            for (int i = 0; i < 500; i++) {
                h.hubport("p" + i, 1 + i % 5);
                if (i % 2 == 1) {
                    dp.connect(netdev("p" + (i - 1)), netdev("p" + i));
                }
                dp.setLink(netdev("p" + i), false);
                if (i % 16 == 15) {
                    h.step();
                }
            }
            h.step();

            assertEquals(compiled, dp.switchCounters().routesCompiled());
        }
    }

    @Test
    void aHubsPeerlessPortsCompileNothingYetCountEveryFrameThatCrossesIt() {
        try (Harness h = new Harness(Harness.small().maxPorts(1024))) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.acrossHub("a", "b");
            h.step();
            long compiled = dp.switchCounters().routesCompiled();

            for (int i = 0; i < 300; i++) {
                h.hubport("p" + i, 0);
                if (i % 16 == 15) {
                    h.step();
                }
            }
            dp.setLink(netdev("p7"), false);
            h.step();
            a.send(frame(MAC_B, MAC_A, 1));
            h.step();
            dp.setLink(netdev("p7"), true);
            dp.close(netdev("p8"));
            h.step();
            a.send(frame(MAC_B, MAC_A, 2));
            h.step();

            assertEquals(compiled, dp.switchCounters().routesCompiled());
            assertEquals(List.of(1, 2), sequences(b.received()));
            assertEquals(2, h.counters("p0").get(TX_FRAMES));
            assertEquals(2, h.counters("p0").get(DROPPED_PEER_ABSENT));
            assertEquals(2 * frame(MAC_B, MAC_A, 1).length, h.counters("p0").get(TX_BYTES));
            assertEquals(1, h.counters("p7").get(DROPPED_LINK_DOWN));
            assertEquals(2, h.counters("p7").get(TX_FRAMES), "a sender counts a frame before its link drops it");
            assertEquals(2, h.counters("p299").get(DROPPED_PEER_ABSENT));
            assertTrue(dp.counters("p8").isEmpty());
        }
    }

    @Test
    void aPeerlessPortThatGetsAPeerLeadsFramesOnAndCountsAsPeerlessAgainOnceItLosesIt() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            TestEndpoint c = h.endpoint("c");
            h.acrossHub("a", "b");
            h.hubport("p", 0);
            h.step();
            a.send(frame(MAC_B, MAC_A, 1));
            h.step();

            dp.connect(netdev("c"), netdev("p"));
            h.step();
            a.send(frame(MAC_C, MAC_A, 2));
            h.step();

            dp.disconnect(netdev("p"));
            h.step();
            a.send(frame(MAC_C, MAC_A, 3));
            h.step();

            assertEquals(List.of(1, 2, 3), sequences(b.received()));
            assertEquals(List.of(2), sequences(c.received()));
            assertEquals(3, h.counters("p").get(TX_FRAMES));
            assertEquals(2, h.counters("p").get(DROPPED_PEER_ABSENT));
        }
    }

    @Test
    void endpointsJoiningAndLeavingAHubCompileTheirOwnRoutesOnly() {
        try (Harness h = new Harness(Harness.small().maxPorts(1024))) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            h.onHub("a", "ha", 0);
            h.step();
            long compiled = dp.switchCounters().routesCompiled();

            List<TestEndpoint> others = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                others.add(h.endpoint("e" + i));
                h.onHub("e" + i, "he" + i, 0);
                if (i % 16 == 15) {
                    h.step();
                }
            }
            h.step();
            long joined = dp.switchCounters().routesCompiled() - compiled;
            a.send(frame(MAC_B, MAC_A, 1));
            h.step();
            dp.close(netdev("e7"));
            dp.close(netdev("he8"));
            h.step();
            a.send(frame(MAC_B, MAC_A, 2));
            others.get(0).send(frame(MAC_A, MAC_B, 3));
            others.get(8).send(frame(MAC_A, MAC_C, 4));
            h.step();

            assertEquals(100, joined, "the route of each endpoint that joined, none other");
            assertEquals(List.of(1, 2, 3), sequences(others.get(99).received()));
            assertEquals(List.of(1), sequences(others.get(8).received()));
            assertEquals(List.of(3), sequences(a.received()));
            assertEquals(List.of(1, 2), sequences(others.get(0).received()));
            assertEquals(3, h.counters("he99").get(TX_FRAMES));
            assertEquals(1, h.counters("e8").get(DROPPED_PEER_ABSENT), "e8 lost its hubport");
        }
    }

    @Test
    void aLinkDownOnAHubportOrItsEndpointDropsThereAndUpDeliversAgain() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            TestEndpoint c = h.endpoint("c");
            h.acrossHub("a", "b");
            h.onHub("c", "hc", 0);
            h.step();
            long compiled = dp.switchCounters().routesCompiled();

            dp.setLink(netdev("hb"), false);
            dp.setLink(netdev("c"), false);
            h.step();
            a.send(frame(MAC_B, MAC_A, 1));
            h.step();
            dp.setLink(netdev("hb"), true);
            dp.setLink(netdev("c"), true);
            h.step();
            a.send(frame(MAC_B, MAC_A, 2));
            h.step();

            assertEquals(List.of(2), sequences(b.received()));
            assertEquals(List.of(2), sequences(c.received()));
            assertEquals(1, h.counters("hb").get(DROPPED_LINK_DOWN));
            assertEquals(1, h.counters("c").get(DROPPED_LINK_DOWN));
            assertEquals(2, h.counters("hb").get(TX_FRAMES));
            assertEquals(2, h.counters("hc").get(TX_FRAMES));
            assertEquals(compiled, dp.switchCounters().routesCompiled());
        }
    }

    @Test
    void undoingAPeeringBetweenHubsReroutesTheEndpointsOnBothSides() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.acrossThreeHubs("a", "b");
            h.step();
            a.send(frame(MAC_B, MAC_A, 1));
            b.send(frame(MAC_A, MAC_B, 2));
            h.step();

            dp.disconnect(netdev("in2"));
            h.step();
            a.send(frame(MAC_B, MAC_A, 3));
            b.send(frame(MAC_A, MAC_B, 4));
            h.step();

            assertEquals(List.of(1), sequences(b.received()));
            assertEquals(List.of(2), sequences(a.received()));
            assertEquals(1, h.counters("out1").get(DROPPED_PEER_ABSENT));
            assertEquals(1, h.counters("in2").get(DROPPED_PEER_ABSENT));
        }
    }
}
