package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.backend.BackendHarness.freeTcpPort;
import static io.vnetd.dataplane.backend.StreamBackendTest.loopback;
import static io.vnetd.dataplane.backend.StreamBackendTest.server;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_FILTER;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_RING_FULL;
import static io.vnetd.model.netclient.NetClientCounter.RX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vnetd.dataplane.ThreadingMode;
import io.vnetd.dataplane.filter.FrameFilter;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netdev.NetdevConfig;
import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backends whose I/O agent shares the switching agent's thread ({@link ThreadingMode#SHARED}) hand
 * frames to the switch and take delivered frames without the rings between them; with threads of
 * their own ({@link ThreadingMode#DEDICATED}) the rings stay. What the clients and the counters see
 * is the same either way.
 */
class SwitchThreadPathTest {

    /** Frames in one write: many times the connections' 32 KiB write buffer. */
    private static final int FRAMES = 3000;

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    void framesBetweenTwoStreamsAcrossAHubArriveWholeAndInOrder(ThreadingMode mode) {
        int portA = freeTcpPort();
        int portB = freeTcpPort();
        try (BackendHarness h = new BackendHarness(c -> c.threadingMode(mode))) {
            h.open(server("sa", loopback(portA)));
            h.open(server("sb", loopback(portB)));
            h.open(new NetdevConfig.Hubport("ha", 0, Optional.empty()));
            h.open(new NetdevConfig.Hubport("hb", 0, Optional.empty()));
            h.dp.connect(netdev("sa"), netdev("ha"));
            h.dp.connect(netdev("sb"), netdev("hb"));
            try (StreamPeer a = StreamPeer.connectTcp(h, portA); StreamPeer b = StreamPeer.connectTcp(h, portB)) {
                h.await("both connections", () -> h.events.size() == 2);
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                for (int i = 0; i < FRAMES; i++) {
                    wire.writeBytes(StreamPeer.prefixed(frame(MAC_A, MAC_B, i, 60 + i % 5 * 100)));
                }
                a.write(wire.toByteArray());
                assertArrayEquals(wire.toByteArray(), b.read(wire.size()));
                h.settle();
                NetClientCounters sa = h.portCounters("sa");
                NetClientCounters sb = h.portCounters("sb");
                assertEquals(FRAMES, sa.get(TX_FRAMES));
                assertEquals(FRAMES, sb.get(RX_FRAMES));
                assertEquals(sa.get(TX_BYTES), sb.get(RX_BYTES));
                assertEquals(0, sb.get(DROPPED_RING_FULL));
            }
        }
    }

    /**
     * With only the shared thread's I/O agent stepped, a frame read from one stream is switched at
     * once, and a change queued before it applies to it first: the receiver's link down, then its
     * rx-filter, each drop counted at the receiver, then the frame delivered once both are lifted.
     */
    @Test
    void changesQueuedBeforeAFrameApplyToItWhenTheIoAgentSwitchesIt() {
        int portA = freeTcpPort();
        int portB = freeTcpPort();
        try (BackendHarness h = new BackendHarness(c -> c.threadingMode(ThreadingMode.SHARED))) {
            h.open(server("sa", loopback(portA)));
            h.open(server("sb", loopback(portB)));
            h.dp.connect(netdev("sa"), netdev("sb"));
            try (StreamPeer a = StreamPeer.connectTcp(h, portA); StreamPeer b = StreamPeer.connectTcp(h, portB)) {
                h.await("both connections", () -> h.events.size() == 2);
                h.settle();
                IoAgent io = h.dp.ioAgents().getFirst();

                h.dp.setLink(netdev("sb"), false);
                a.writeFrame(frame(MAC_A, MAC_B, 1, 60));
                stepUntil(io, () -> h.portCounters("sa").get(TX_FRAMES) == 1);
                assertEquals(1, h.portCounters("sb").get(DROPPED_LINK_DOWN));

                h.dp.setLink(netdev("sb"), true);
                h.dp.setPortRxFilter("sb", (frame, offset, length) -> false);
                a.writeFrame(frame(MAC_A, MAC_B, 2, 60));
                stepUntil(io, () -> h.portCounters("sa").get(TX_FRAMES) == 2);
                assertEquals(1, h.portCounters("sb").get(DROPPED_FILTER));

                h.dp.setPortRxFilter("sb", FrameFilter.ACCEPT_ALL);
                byte[] last = frame(MAC_A, MAC_B, 3, 60);
                a.writeFrame(last);
                stepUntil(io, () -> h.portCounters("sa").get(TX_FRAMES) == 3);
                assertArrayEquals(StreamPeer.prefixed(last), b.read(4 + 60), "only the frame sent with both lifted");
                NetClientCounters sb = h.portCounters("sb");
                assertEquals(1, sb.get(RX_FRAMES));
                assertEquals(1, sb.get(DROPPED_LINK_DOWN));
                assertEquals(1, sb.get(DROPPED_FILTER));
            }
        }
    }

    private static void stepUntil(IoAgent io, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BackendHarness.TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            if (io.doWork() == 0) {
                LockSupport.parkNanos(50_000);
            }
            if (System.nanoTime() - deadline > 0) {
                fail("the I/O agent never forwarded the frame");
            }
        }
    }
}
