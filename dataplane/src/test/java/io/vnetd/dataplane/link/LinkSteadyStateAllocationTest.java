package io.vnetd.dataplane.link;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.AllocationProbe;
import io.vnetd.dataplane.Frames;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The link agent's duty cycles, sending and receiving, allocate nothing once warm. */
class LinkSteadyStateAllocationTest {

    private static final int BURST = 8;
    /** Enough cycles for every hot method to be queued for C2 (see the data plane's SteadyStateAllocationTest). */
    private static final int WARM_UP_CYCLES = 40_000;
    private static final int MEASURED_CYCLES = 20_000;

    private final long[] delivered = new long[1];

    @Test
    void sendingAndReceivingFramesAllocatesNothing() throws Exception {
        try (LinkNode a = new LinkNode("A"); LinkNode b = new LinkNode("B")) {
            EndpointPort a1 = a.dataPlane.attachEndpoint("a1");
            EndpointPort b1 = b.dataPlane.attachEndpoint("b1");
            a.dataPlane.openHubport("ha1", 0);
            a.dataPlane.connectPorts("a1", "ha1");
            b.dataPlane.openHubport("hb1", 0);
            b.dataPlane.connectPorts("b1", "hb1");
            a.link.peer("B", "127.0.0.1", b.link.localPort());
            b.link.peer("A", "127.0.0.1", a.link.localPort());
            a.link.span(0, Set.of("B"));
            b.link.span(0, Set.of("A"));
            LinkNode.awaitUntil(() -> a.countersFor("B").connected(), a, b);
            UnsafeBuffer frame = new UnsafeBuffer(Frames.frame(Frames.MAC_B, Frames.MAC_A, 1));
            FrameHandler sink = (buffer, offset, length) -> delivered[0]++;
            long[] linkBytes = new long[1];
            cycles(a, b, a1, b1, frame, sink, WARM_UP_CYCLES, linkBytes);

            AllocationProbe.assertAMeasuredWindowAllocatesNothing(() -> {
                linkBytes[0] = 0;
                cycles(a, b, a1, b1, frame, sink, MEASURED_CYCLES, linkBytes);
                return linkBytes[0];
            });
            assertTrue(b.countersFor("A").framesReceived() > 0);
            assertTrue(delivered[0] > 0);
        }
    }

    /** Frames from a1 through A's hub, A's link, B's link and B's hub to b1; only the link agents' bytes are counted. */
    private static void cycles(LinkNode a, LinkNode b, EndpointPort a1, EndpointPort b1, UnsafeBuffer frame,
                               FrameHandler sink, int cycles, long[] linkBytes) {
        for (int cycle = 0; cycle < cycles; cycle++) {
            for (int i = 0; i < BURST; i++) {
                a1.offer(frame, 0, frame.capacity());
            }
            a.dataPlane.switchingAgent().doWork();
            long before = AllocationProbe.currentThreadAllocatedBytes();
            a.link.agent().doWork();
            b.link.agent().doWork();
            linkBytes[0] += AllocationProbe.currentThreadAllocatedBytes() - before;
            b.dataPlane.switchingAgent().doWork();
            b1.poll(sink, Integer.MAX_VALUE);
        }
    }
}
