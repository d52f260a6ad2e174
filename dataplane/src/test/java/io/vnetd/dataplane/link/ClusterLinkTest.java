package io.vnetd.dataplane.link;

import static io.vnetd.dataplane.link.LinkNode.awaitUntil;
import static io.vnetd.dataplane.link.LinkNode.mesh;
import static io.vnetd.dataplane.link.LinkNode.stepQuietly;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.Frames;
import io.vnetd.dataplane.link.LinkNode.TestPort;
import io.vnetd.model.port.LinkCounters;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hubs that span two nodes, each a data plane with its own cluster link, over 127.0.0.1. */
class ClusterLinkTest {

    private final LinkNode a = new LinkNode("A");
    private final LinkNode b = new LinkNode("B");

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void aFrameReachesEveryPortOfTheHubOnceAndNeverComesBack() {
        TestPort a1 = a.portOnHub("a1", 0);
        TestPort a2 = a.portOnHub("a2", 0);
        TestPort b1 = b.portOnHub("b1", 0);
        TestPort b2 = b.portOnHub("b2", 0);
        mesh(0, a, b);

        a1.send(1);
        awaitUntil(() -> b1.received().size() == 1 && b2.received().size() == 1 && a2.received().size() == 1, a, b);
        b1.send(2);
        awaitUntil(() -> a1.received().size() == 1 && a2.received().size() == 2 && b2.received().size() == 2, a, b);
        stepQuietly(a, b);

        assertEquals(List.of(2), a1.received());
        assertEquals(List.of(1, 2), a2.received());
        assertEquals(List.of(1), b1.received());
        assertEquals(List.of(1, 2), b2.received());
        LinkCounters aToB = a.countersFor("B");
        assertEquals(1, aToB.framesSent());
        assertEquals(64, aToB.bytesSent());
        assertEquals(1, aToB.framesReceived());
        assertEquals(64, aToB.bytesReceived());
        assertEquals(0, aToB.dropped());
        assertEquals(1, b.countersFor("A").framesSent());
        assertEquals(1, b.countersFor("A").framesReceived());
        assertEquals(0, b.countersFor("A").dropped());
    }

    @Test
    void aPortWhoseLinkIsDownNeitherReceivesNorSendsAcrossNodes() {
        TestPort a1 = a.portOnHub("a1", 0);
        TestPort a2 = a.portOnHub("a2", 0);
        TestPort b1 = b.portOnHub("b1", 0);
        TestPort b2 = b.portOnHub("b2", 0);
        mesh(0, a, b);
        b.dataPlane.setLink(netdev("b1"), false);
        a.dataPlane.setLink(netdev("a2"), false);

        a1.send(1);
        a2.send(2);
        awaitUntil(() -> b2.received().size() == 1, a, b);
        stepQuietly(a, b);

        assertEquals(List.of(1), b2.received());
        assertEquals(List.of(), b1.received());
        assertEquals(List.of(), a2.received());
        assertEquals(1, b.portCounters("b1").get(DROPPED_LINK_DOWN));
        // a2 dropped the frame it sent and the one a1 sent.
        assertEquals(2, a.portCounters("a2").get(DROPPED_LINK_DOWN));
        assertEquals(1, a.countersFor("B").framesSent());
    }

    @Test
    void aHubNotInTheSpanIsNotSentAndOneTheReceiverDoesNotSpanIsDroppedThere() {
        TestPort a0 = a.portOnHub("a0", 0);
        TestPort b0 = b.portOnHub("b0", 0);
        TestPort a1 = a.portOnHub("a1", 1);
        TestPort b1 = b.portOnHub("b1", 1);
        TestPort a2 = a.portOnHub("a2", 2);
        TestPort b2 = b.portOnHub("b2", 2);
        mesh(0, a, b);
        a.link.span(2, Set.of("B"));

        a1.send(1);
        a2.send(2);
        a0.send(3);
        awaitUntil(() -> b0.received().size() == 1, a, b);
        awaitUntil(() -> b.countersFor("A").droppedUnknownHub() == 1, a, b);
        stepQuietly(a, b);

        assertEquals(List.of(), b1.received());
        assertEquals(List.of(), b2.received());
        assertEquals(2, a.countersFor("B").framesSent());
        assertEquals(1, b.countersFor("A").framesReceived());
        assertEquals(List.of(), a0.received());
    }

    @Test
    void framesForAPeerThatDoesNotListenAreDroppedAndCountedWithoutWaiting() throws Exception {
        int silent;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            silent = socket.getLocalPort();
        }
        TestPort a1 = a.portOnHub("a1", 0);
        TestPort b1 = b.portOnHub("b1", 0);
        mesh(0, a, b);
        a.link.peer("C", "127.0.0.1", silent);
        a.link.span(0, Set.of("B", "C", "D"));
        awaitUntil(() -> a.countersFor("C") != null && a.countersFor("D") != null, a, b);

        int frames = 200;
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            a1.send(i);
            a.step();
        }
        long sendingNs = System.nanoTime() - start;
        awaitUntil(() -> b1.received().size() == frames, a, b);

        LinkCounters c = a.countersFor("C");
        assertFalse(c.connected());
        assertEquals(0, c.framesSent());
        assertEquals(frames, c.droppedNotConnected() + c.droppedBackPressured());
        // D was never peered: no address, every frame dropped as not connected.
        assertEquals(frames, a.countersFor("D").droppedNotConnected());
        assertEquals(frames, a.countersFor("B").framesSent());
        assertTrue(sendingNs < TimeUnit.SECONDS.toNanos(5), "sending took " + sendingNs + " ns");
    }

    @Test
    void framesFromANodeThatIsNotPeeredAreRefused() {
        TestPort a1 = a.portOnHub("a1", 0);
        TestPort b1 = b.portOnHub("b1", 0);
        mesh(0, a, b);
        b.link.removePeer("A");

        a1.send(1);
        awaitUntil(() -> b.link.framesFromUnknownNodes() == 1, a, b);
        stepQuietly(a, b);

        assertEquals(List.of(), b1.received());
        assertEquals(1, a.countersFor("B").framesSent());
        assertEquals(0, b.countersFor("A").framesReceived());
    }

    @Test
    void aFrameLongerThanTheReceiversMaxFrameLengthIsDroppedAsMalformed() {
        try (LinkNode big = new LinkNode("C", 9000, ctx -> ctx)) {
            TestPort c1 = big.portOnHub("c1", 0);
            TestPort b1 = b.portOnHub("b1", 0);
            mesh(0, big, b);

            c1.send(Frames.frame(Frames.MAC_B, Frames.MAC_A, 1, 2000));
            c1.send(Frames.frame(Frames.MAC_B, Frames.MAC_A, 2, 1500));
            awaitUntil(() -> b1.received().size() == 1, big, b);
            awaitUntil(() -> b.countersFor("C").droppedMalformed() == 1, big, b);

            assertEquals(List.of(2), b1.received());
            assertEquals(1500, b.countersFor("C").bytesReceived());
        }
    }

    @Test
    void anEmptySpanClosesTheUplinkAndFramesForTheHubAreDroppedAtTheReceiver() {
        TestPort a1 = a.portOnHub("a1", 0);
        TestPort b1 = b.portOnHub("b1", 0);
        mesh(0, a, b);
        assertTrue(b.dataPlane.counters(ClusterLink.uplinkEndpoint(0)).isPresent());

        b.link.span(0, Set.of());
        awaitUntil(() -> b.dataPlane.counters(ClusterLink.uplinkEndpoint(0)).isEmpty()
                && b.dataPlane.counters(ClusterLink.uplinkHubport(0)).isEmpty(), a, b);
        a1.send(1);
        awaitUntil(() -> b.countersFor("A").droppedUnknownHub() == 1, a, b);

        assertEquals(List.of(), b1.received());
    }

    @Test
    void runningAgentsCarryFramesBothWays() {
        a.start();
        b.start();
        TestPort a1 = a.portOnHub("a1", 0);
        TestPort b1 = b.portOnHub("b1", 0);
        mesh(0, a, b);

        for (int i = 0; i < 100; i++) {
            a1.send(i);
            b1.send(1000 + i);
        }
        awaitUntil(() -> b1.received().size() == 100 && a1.received().size() == 100, a, b);
        stepQuietly(a, b);

        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), b1.received());
        assertEquals(java.util.stream.IntStream.range(1000, 1100).boxed().toList(), a1.received());
        assertEquals(100, a.countersFor("B").framesReceived());
        assertEquals(100, b.countersFor("A").framesReceived());
    }

    @Test
    void theLinkClosesAfterItsDataPlane() {
        a.portOnHub("a1", 0);
        mesh(0, a, b);
        a.dataPlane.close();
        a.link.close();
        assertEquals("cluster link is closed",
                assertThrows(IllegalStateException.class, () -> a.link.peer("B", "127.0.0.1", 1)).getMessage());
    }

    @Test
    void theControlCallsRefuseWhatCannotBe() {
        assertEquals("node 'A' is this node: name the other nodes only",
                assertThrows(IllegalArgumentException.class, () -> a.link.span(0, Set.of("A"))).getMessage());
        assertEquals("node 'A' is this node: name the other nodes only",
                assertThrows(IllegalArgumentException.class, () -> a.link.peer("A", "127.0.0.1", 1)).getMessage());
        assertEquals("peer 'B': port must be within 1..65535, got 0",
                assertThrows(IllegalArgumentException.class, () -> a.link.peer("B", "127.0.0.1", 0)).getMessage());
        assertEquals("peer 'B': host must not be empty",
                assertThrows(IllegalArgumentException.class, () -> a.link.peer("B", " ", 1)).getMessage());
        assertEquals("a node name must not be empty",
                assertThrows(IllegalArgumentException.class, () -> a.link.removePeer("")).getMessage());
        a.close();
        assertEquals("cluster link is closed",
                assertThrows(IllegalStateException.class, () -> a.link.span(0, Set.of("B"))).getMessage());
    }
}
