package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vnetd.dataplane.filter.VirtioRxFilter;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.dataplane.switching.SwitchingAgent;
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
    void forwardingAHundredThousandFramesThroughAHubAllocatesNothing() throws Exception {
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

            AllocationProbe.assertAMeasuredWindowAllocatesNothing(() -> {
                long before = AllocationProbe.currentThreadAllocatedBytes();
                forward(a, b, agent, frame, sink, 100_000);
                return AllocationProbe.currentThreadAllocatedBytes() - before;
            });
            b.poll(sink, BURST);
            assertEquals(h.counters("b").get(RX_FRAMES), delivered[0], "every frame forwarded was delivered");
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
