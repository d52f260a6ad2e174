package io.vnetd.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import io.vnetd.dataplane.idle.WakeableIdleStrategy;
import org.junit.jupiter.api.Test;

class ContextTest {

    private static String refusal(UnaryOperator<DataPlane.Context> settings) {
        return assertThrows(IllegalArgumentException.class, () -> settings.apply(new DataPlane.Context()).conclude())
                .getMessage();
    }

    @Test
    void theDefaultsConclude() {
        DataPlane.Context ctx = new DataPlane.Context().conclude();

        assertEquals(4 * 1024 * 1024, ctx.inboundRingCapacity());
        assertEquals(1024 * 1024, ctx.outboundRingCapacity());
        assertEquals(69_632, ctx.maxFrameLength());
        assertEquals(256, ctx.batchLimit());
        assertInstanceOf(WakeableIdleStrategy.class, ctx.idleStrategySupplier().get());
        assertArrayEquals(new int[0], ctx.agentCpus());
        assertEquals(4096, ctx.controlQueueCapacity());
        assertEquals(TimeUnit.SECONDS.toNanos(1), ctx.controlOfferTimeoutNs());
        assertEquals(1 << 20, ctx.maxPorts());
        assertEquals(8, ctx.maxHubHops());
        assertEquals(1, ctx.ioAgentCount());
        assertEquals(64, ctx.ioBatchLength());
        assertEquals(256 * 1024, ctx.ioBufferLength());
        assertEquals(1024 * 1024, ctx.datagramReceiveBufferLength());
        assertEquals(TimeUnit.MICROSECONDS.toNanos(50), ctx.streamCoalesceNs());
        assertEquals(ThreadingMode.SHARED, ctx.threadingMode());
    }

    @Test
    void backendIoSettingsMustFit() {
        assertEquals("ioAgentCount must be at least 1, got 0", refusal(c -> c.ioAgentCount(0)));
        assertEquals("ioBatchLength must be within 1..1024, got 1025", refusal(c -> c.ioBatchLength(1025)));
        assertEquals("ioBufferLength 65536 cannot hold a frame of maxFrameLength 69632 and its 4-byte length: make it"
                + " at least 69636", refusal(c -> c.ioBufferLength(65536)));
        assertEquals("threadingMode SHARED runs one I/O agent, got ioAgentCount 2: use DEDICATED for more",
                refusal(c -> c.threadingMode(ThreadingMode.SHARED).ioAgentCount(2)));
        assertEquals("streamCoalesceNs must not be negative, got -1", refusal(c -> c.streamCoalesceNs(-1)));
    }

    @Test
    void ringCapacitiesMustBePowersOfTwo() {
        assertEquals("inboundRingCapacity must be a power of two of at least 768 bytes (the ring's data; "
                + "Agrona's 768-byte trailer is added to it), got 1000000", refusal(c -> c.inboundRingCapacity(1_000_000)));
        assertEquals("outboundRingCapacity must be a power of two of at least 768 bytes (the ring's data; "
                + "Agrona's 768-byte trailer is added to it), got 512", refusal(c -> c.outboundRingCapacity(512)));
    }

    @Test
    void theLongestFrameMustFitBothRings() {
        assertEquals("maxFrameLength 69632 does not fit outboundRingCapacity 65536: a ring carries messages of up to "
                        + "1/8 of its capacity; make outboundRingCapacity at least 1048576 or maxFrameLength at most 8192",
                refusal(c -> c.outboundRingCapacity(64 * 1024)));
        assertEquals("maxFrameLength must be at least 14 (an Ethernet header), got 13", refusal(c -> c.maxFrameLength(13)));
    }

    @Test
    void limitsMustBePositive() {
        assertEquals("batchLimit must be at least 1, got 0", refusal(c -> c.batchLimit(0)));
        assertEquals("controlQueueCapacity must be a power of two, at least 2, got 1000",
                refusal(c -> c.controlQueueCapacity(1000)));
        assertEquals("controlOfferTimeoutNs must not be negative, got -1", refusal(c -> c.controlOfferTimeoutNs(-1)));
        assertEquals("maxPorts must be within 1..1048576, got 1048577", refusal(c -> c.maxPorts(1_048_577)));
        assertEquals("maxHubHops must be at least 1, got 0", refusal(c -> c.maxHubHops(0)));
    }

    @Test
    void agentCpusMustBeDistinctAndInRange() {
        assertEquals("agentCpus: CPU 1024 is outside 0..1023", refusal(c -> c.agentCpus(0, 1024)));
        assertEquals("agentCpus lists CPU 1 twice", refusal(c -> c.agentCpus(1, 1)));
    }

    @Test
    void aContextConcludesOnce() {
        DataPlane.Context ctx = new DataPlane.Context().conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }
}
