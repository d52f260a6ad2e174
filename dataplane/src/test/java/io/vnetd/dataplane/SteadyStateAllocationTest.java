package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.dataplane.filter.VirtioRxFilter;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.dataplane.switching.SwitchingAgent;
import java.lang.management.ManagementFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Forwarding allocates nothing once warm: the switching thread's allocation counter does not move. */
class SteadyStateAllocationTest {

    private static final int BURST = 8;

    /**
     * Duty cycles before measuring. Warm means every hot method has been queued for C2: HotSpot
     * resolves the string constants of a method's class when it queues it, allocating on the calling
     * thread, and the least used methods (one call per duty cycle) get there after some 25,000 calls.
     */
    private static final int WARM_UP_CYCLES = 100_000;

    private final long[] delivered = new long[1];

    @Test
    void forwardingAHundredThousandFramesThroughAHubAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        try (Harness h = new Harness()) {
            EndpointPort a = h.dataPlane.attachEndpoint("a");
            EndpointPort b = h.dataPlane.attachEndpoint("b");
            h.acrossHub("a", "b");
            h.dataPlane.setPortRxFilter("b", VirtioRxFilter.builder(MAC_B).promiscuous(false).build());
            h.step();
            SwitchingAgent agent = h.dataPlane.switchingAgent();
            UnsafeBuffer frame = new UnsafeBuffer(Frames.frame(MAC_B, MAC_A, 1));
            FrameHandler sink = (buffer, offset, length) -> delivered[0]++;

            forward(a, b, agent, frame, sink, WARM_UP_CYCLES * BURST);
            long baseline = -threads.getCurrentThreadAllocatedBytes() + threads.getCurrentThreadAllocatedBytes();
            delivered[0] = 0;

            long before = threads.getCurrentThreadAllocatedBytes();
            forward(a, b, agent, frame, sink, 100_000);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before - baseline;

            assertEquals(0, allocated, "bytes allocated while forwarding");
            assertEquals(100_000, delivered[0]);
            assertEquals(WARM_UP_CYCLES * BURST + 100_000, h.counters("b").receivedFrames());
        }
    }

    private static void forward(EndpointPort a, EndpointPort b, SwitchingAgent agent, UnsafeBuffer frame,
                                FrameHandler sink, int frames) {
        for (int sent = 0; sent < frames; sent += BURST) {
            for (int i = 0; i < BURST; i++) {
                a.offer(frame, 0, frame.capacity());
            }
            agent.doWork();
            b.poll(sink, BURST);
        }
    }
}
