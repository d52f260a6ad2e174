package io.vnetd.dataplane.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.DataPlane;
import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;

class ClusterLinkContextTest {

    private static String refusal(UnaryOperator<ClusterLink.Context> settings) {
        return assertThrows(IllegalArgumentException.class, () -> settings.apply(new ClusterLink.Context()).conclude())
                .getMessage();
    }

    @Test
    void theDefaultsConclude() {
        ClusterLink.Context ctx = new ClusterLink.Context();
        assertNull(ctx.aeronDirectoryName());
        ctx.conclude();

        assertEquals("local", ctx.node());
        assertEquals("127.0.0.1", ctx.endpointHost());
        assertEquals(0, ctx.endpointPort());
        assertTrue(ctx.launchEmbeddedDriver());
        assertEquals(10, ctx.streamId());
        assertEquals(4 * 1024 * 1024, ctx.termBufferLength());
        assertEquals(64, ctx.batchLimit());
        assertEquals(1024, ctx.controlQueueCapacity());
        assertEquals(TimeUnit.SECONDS.toNanos(1), ctx.controlOfferTimeoutNs());
        // Back-off that ends in parks, never a busy spin: the agents share cores with the rest of the node.
        assertInstanceOf(BackoffIdleStrategy.class, ctx.idleStrategySupplier().get());
        assertInstanceOf(BackoffIdleStrategy.class, ctx.driverIdleStrategySupplier().get());
        File directory = new File(ctx.aeronDirectoryName());
        assertEquals(new File(System.getProperty("java.io.tmpdir")).getAbsoluteFile(), directory.getParentFile().getAbsoluteFile());
        assertTrue(directory.getName().startsWith("vnetd-link-"), directory.getName());
    }

    @Test
    void eachContextGetsADirectoryOfItsOwn() {
        assertNotEquals(new ClusterLink.Context().conclude().aeronDirectoryName(),
                new ClusterLink.Context().conclude().aeronDirectoryName());
        assertEquals("/tmp/given", new ClusterLink.Context().aeronDirectoryName("/tmp/given").conclude().aeronDirectoryName());
    }

    @Test
    void aContextConcludesOnce() {
        ClusterLink.Context ctx = new ClusterLink.Context().conclude();
        assertEquals("context already concluded: give each cluster link its own",
                assertThrows(IllegalStateException.class, ctx::conclude).getMessage());
    }

    @Test
    void badSettingsAreNamed() {
        assertEquals("node must not be empty", refusal(c -> c.node(" ")));
        assertEquals("endpointHost must not be empty", refusal(c -> c.endpointHost("")));
        assertEquals("endpointPort must be within 0..65535, got 65536", refusal(c -> c.endpointPort(65536)));
        assertEquals("endpointPort must be within 0..65535, got -1", refusal(c -> c.endpointPort(-1)));
        assertEquals("aeronDirectoryName must name the running media driver's directory when launchEmbeddedDriver"
                + " is false", refusal(c -> c.launchEmbeddedDriver(false)));
        assertEquals("aeronDirectoryName must not be empty", refusal(c -> c.aeronDirectoryName("")));
        assertEquals("termBufferLength must be a power of two within 65536..1073741824, got 100000",
                refusal(c -> c.termBufferLength(100_000)));
        assertEquals("termBufferLength must be a power of two within 65536..1073741824, got 32768",
                refusal(c -> c.termBufferLength(32 * 1024)));
        assertEquals("batchLimit must be at least 1, got 0", refusal(c -> c.batchLimit(0)));
        assertEquals("controlQueueCapacity must be a power of two, at least 2, got 1000",
                refusal(c -> c.controlQueueCapacity(1000)));
        assertEquals("controlOfferTimeoutNs must not be negative, got -1", refusal(c -> c.controlOfferTimeoutNs(-1)));
        assertThrows(NullPointerException.class, () -> new ClusterLink.Context().idleStrategySupplier(null).conclude());
        assertThrows(NullPointerException.class, () -> new ClusterLink.Context().errorHandler(null).conclude());
    }

    @Test
    void aRefusedContextStaysUnconcluded() {
        ClusterLink.Context ctx = new ClusterLink.Context().batchLimit(0);
        assertThrows(IllegalArgumentException.class, ctx::conclude);
        assertEquals(ctx, ctx.batchLimit(1).conclude());
    }

    @Test
    void aTermMustHoldTheDataPlanesLongestFrame() {
        try (DataPlane dataPlane = DataPlane.create(new DataPlane.Context())) {
            assertEquals("termBufferLength 262144 carries messages of up to 32768 bytes, fewer than the data plane's"
                            + " maxFrameLength 69632 and the 4-byte hub id: make it at least 1048576",
                    assertThrows(IllegalArgumentException.class, () -> ClusterLink.create(dataPlane,
                            new ClusterLink.Context().termBufferLength(256 * 1024))).getMessage());
        }
    }

    @Test
    void theLinkDeletesItsEmbeddedDriversDirectoryWhenItCloses() {
        try (DataPlane dataPlane = DataPlane.create(new DataPlane.Context())) {
            ClusterLink link = ClusterLink.create(dataPlane, new ClusterLink.Context());
            File directory = new File(link.context().aeronDirectoryName());
            assertTrue(directory.isDirectory());
            assertTrue(link.localPort() > 0);
            link.close();
            assertFalse(directory.exists());
        }
    }
}
