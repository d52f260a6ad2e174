package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_PEER_ABSENT;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The control channel: how configuration reaches the switch, and what happens to frames meanwhile. */
class ControlTest {

    private static List<Integer> sequences(List<byte[]> frames) {
        return frames.stream().map(Frames::sequence).toList();
    }

    @Test
    void controlOpsTakeEffectBetweenBatches() {
        try (Harness h = new Harness(Harness.small().batchLimit(4))) {
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.dataPlane.connect(netdev("a"), netdev("b"));
            h.step();
            for (int i = 0; i < 10; i++) {
                a.send(frame(MAC_B, MAC_A, i));
            }

            h.dataPlane.switchingAgent().doWork();
            h.dataPlane.setLink(netdev("b"), false);
            h.step();

            assertEquals(List.of(0, 1, 2, 3), sequences(b.received()));
            assertEquals(6, h.counters("b").get(DROPPED_LINK_DOWN));
        }
    }

    @Test
    void framesOfAPortClosedWhileTheyWaitAreDroppedAsStaleEvenIfItsSlotIsReused() {
        // Two slots: the second "a" gets the first one's slot, with a new generation.
        try (Harness h = new Harness(Harness.small().maxPorts(2))) {
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.dataPlane.connect(netdev("a"), netdev("b"));
            h.step();
            for (int i = 0; i < 3; i++) {
                a.send(frame(MAC_B, MAC_A, i));
            }

            a.port.close();
            TestEndpoint again = h.endpoint("a");
            h.dataPlane.connect(netdev("a"), netdev("b"));
            again.send(frame(MAC_B, MAC_A, 7));
            h.step();

            assertEquals(List.of(7), sequences(b.received()));
            assertEquals(3, h.dataPlane.switchCounters().staleFrames());
            assertEquals(1, h.counters("a").get(TX_FRAMES));
        }
    }

    @Test
    void aFrameWrittenBeforeTheSwitchAppliedItsPortsOpenWaitsForIt() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint sink = h.endpoint("sink");
            h.hubport("ha", 0);
            h.hubport("hs", 0);
            h.hubport("hl", 0);
            dp.connect(netdev("a"), netdev("ha"));
            dp.connect(netdev("sink"), netdev("hs"));
            dp.connect(netdev("late"), netdev("hl"));
            AtomicReference<EndpointPort> late = new AtomicReference<>();
            // The filter runs inside the agent's batch: the new endpoint's frame lands on the ring
            // the agent is reading, before the agent has seen the endpoint's open.
            dp.setPortRxFilter("sink", (buffer, offset, length) -> {
                if (late.get() == null) {
                    late.set(dp.attachEndpoint("late"));
                    byte[] f = frame(MAC_B, MAC_A, 2);
                    assertTrue(late.get().offer(new UnsafeBuffer(f), 0, f.length));
                }
                return true;
            });
            h.step();

            a.send(frame(MAC_B, MAC_A, 1));
            h.step();

            assertEquals(List.of(1, 2), sequences(sink.received()));
            assertEquals(0, dp.switchCounters().staleFrames());
            assertEquals(1, h.counters("late").get(TX_FRAMES));
        }
    }

    @Test
    void anOperationAppliesToEveryFrameWrittenAfterItWasQueued() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            TestEndpoint c = h.endpoint("c");
            TestEndpoint d = h.endpoint("d");
            dp.connect(netdev("a"), netdev("b"));
            AtomicBoolean hooked = new AtomicBoolean();
            // Inside the agent's batch: queue a peering, then send over it at once.
            dp.setPortRxFilter("b", (buffer, offset, length) -> {
                if (hooked.compareAndSet(false, true)) {
                    dp.connect(netdev("c"), netdev("d"));
                    assertTrue(c.send(frame(MAC_B, MAC_A, 2)));
                }
                return true;
            });
            h.step();

            a.send(frame(MAC_B, MAC_A, 1));
            h.step();

            assertEquals(List.of(1), sequences(b.received()));
            assertEquals(List.of(2), sequences(d.received()));
            assertEquals(0, h.counters("c").get(DROPPED_PEER_ABSENT));
        }
    }

    @Test
    void reopeningWithTheSameConfigurationKeepsThePortAndItsState() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.acrossHub("a", "b");
            dp.setLink(netdev("hb"), false);
            h.step();
            long compiled = dp.switchCounters().routesCompiled();

            h.hubport("hb", 0);
            h.step();
            a.send(frame(MAC_B, MAC_A, 1));
            h.step();

            assertEquals(compiled, dp.switchCounters().routesCompiled());
            assertEquals(List.of(), b.received());
            assertEquals(1, h.counters("hb").get(DROPPED_LINK_DOWN));
        }
    }

    @Test
    void openingANameAlreadyOpenAsSomethingElseFails() {
        try (Harness h = new Harness()) {
            h.hubport("h", 0);
            h.endpoint("e");

            IllegalStateException otherHub = assertThrows(IllegalStateException.class, () -> h.hubport("h", 1));
            assertEquals("port 'h' is already open as a port of hub 0", otherHub.getMessage());
            assertThrows(IllegalStateException.class, () -> h.endpoint("h"));
            assertThrows(IllegalStateException.class, () -> h.endpoint("e"));
            assertThrows(IllegalStateException.class, () -> h.hubport("e", 0));
        }
    }

    @Test
    void changesThatChangeNothingCompileNothing() {
        try (Harness h = new Harness()) {
            DataPlane dp = h.dataPlane;
            h.endpoint("a");
            h.endpoint("b");
            dp.connect(netdev("a"), netdev("b"));
            h.step();
            long compiled = dp.switchCounters().routesCompiled();

            dp.setLink(netdev("a"), true);
            dp.connect(netdev("b"), netdev("a"));
            dp.disconnect(netdev("nobody"));
            dp.setLink(netdev("nobody"), false);
            dp.close(netdev("nobody"));
            h.step();

            assertEquals(compiled, dp.switchCounters().routesCompiled());
        }
    }

    @Test
    void aFullControlQueueFailsTheCallInsteadOfBlockingIt() {
        try (Harness h = new Harness(Harness.small().controlQueueCapacity(2).controlOfferTimeoutNs(0))) {
            DataPlane dp = h.dataPlane;
            dp.setLink(netdev("a"), false);
            dp.setLink(netdev("a"), true);

            IllegalStateException full = assertThrows(IllegalStateException.class, () -> dp.setLink(netdev("a"), false));
            assertTrue(full.getMessage().startsWith("data plane control queue stayed full (2 ops)"), full.getMessage());
            // An open that could not be queued leaves nothing behind.
            assertThrows(IllegalStateException.class, () -> h.endpoint("e"));

            h.step();
            TestEndpoint e = h.endpoint("e");
            h.step();
            e.send(frame(MAC_B, MAC_A, 1));
            h.step();
            assertEquals(1, h.counters("e").get(DROPPED_PEER_ABSENT));
        }
    }

    @Test
    void aControlCallWaitsForRoomUntilTheAgentDrainsTheQueue() throws InterruptedException {
        try (Harness h = new Harness(Harness.small().controlQueueCapacity(2)
                .controlOfferTimeoutNs(TimeUnit.MINUTES.toNanos(1)))) {
            DataPlane dp = h.dataPlane;
            dp.setLink(netdev("a"), false);
            dp.setLink(netdev("a"), true);
            Thread caller = Thread.ofPlatform().start(() -> dp.setLink(netdev("a"), false));

            while (caller.isAlive()) {
                h.step();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            caller.join();
            h.endpoint("a");
            h.step();
            assertEquals(0, h.dataPlane.switchCounters().errors());
        }
    }

    @Test
    void theLastSlotTakenFurtherPortsAreRefusedWithANetException() {
        try (Harness h = new Harness(Harness.small().maxPorts(2))) {
            h.endpoint("a");
            h.hubport("h", 0);

            NetException e = assertThrows(NetException.class, () -> h.endpoint("b"));
            assertEquals("no room for port 'b': all 2 ports of the data plane are in use (vnetd.dataplane.max-ports)", e.desc());

            h.dataPlane.close(netdev("h"));
            h.endpoint("b");
        }
    }

    @Test
    void aClosedPortsCountersDisappearAndTheListingShowsTheOpenOnes() {
        try (Harness h = new Harness()) {
            h.endpoint("b");
            h.dataPlane.open(new NetdevConfig.Hubport("a", 3, Optional.of("b")));
            h.step();
            assertEquals(List.of("a", "b"), List.copyOf(h.dataPlane.counters().keySet()));

            h.dataPlane.close(netdev("a"));
            h.step();
            assertEquals(Optional.empty(), h.dataPlane.counters("a"));
            assertEquals(List.of("b"), List.copyOf(h.dataPlane.counters().keySet()));
        }
    }

    @Test
    void anEndpointsHandleClosesOnlyItsOwnIncarnationOfTheName() {
        try (Harness h = new Harness()) {
            TestEndpoint first = h.endpoint("a");
            h.dataPlane.close(netdev("a"));
            h.endpoint("a");
            h.step();

            first.port.close();
            h.step();

            assertTrue(h.dataPlane.counters("a").isPresent());
        }
    }

    @Test
    void rxFiltersApplyToEndpointsOnly() {
        try (Harness h = new Harness()) {
            h.hubport("h", 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> h.dataPlane.setPortRxFilter("h", (b, o, l) -> false));
            assertEquals("rx-filters apply to endpoint ports; 'h' is a hubport", e.getMessage());
        }
    }

    @Test
    void anOversizedFrameIsRefusedAtTheEndpoint() {
        try (Harness h = new Harness()) {
            TestEndpoint a = h.endpoint("a");
            assertThrows(IllegalArgumentException.class, () -> a.send(new byte[1515]));
        }
    }

    @Test
    void countersCanBeReadFromAnotherThreadWhileFramesFlow() throws InterruptedException {
        try (Harness h = new Harness()) {
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.dataPlane.connect(netdev("a"), netdev("b"));
            h.step();
            AtomicBoolean done = new AtomicBoolean();
            List<String> problems = new ArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                long last = 0;
                while (!done.get()) {
                    Optional<NetClientCounters> s = h.dataPlane.counters("b");
                    if (s.isPresent()) {
                        long received = s.get().get(RX_FRAMES);
                        if (received < last) {
                            problems.add("went back: " + s.get() + " after " + last);
                        }
                        last = received;
                    }
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            });

            UnsafeBuffer f = new UnsafeBuffer(frame(MAC_B, MAC_A, 1));
            for (int i = 0; i < 20_000; i++) {
                a.port.offer(f, 0, 64);
                if (i % 64 == 63) {
                    h.step();
                    b.port.poll((buffer, offset, length) -> { }, Integer.MAX_VALUE);
                }
            }
            h.step();
            done.set(true);
            reader.join();

            assertEquals(List.of(), problems);
            assertEquals(20_000, h.counters("b").get(RX_FRAMES));
            assertEquals(20_000 * 64, h.counters("a").get(TX_BYTES));
        }
    }
}
