package io.vnetd.dataplane.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.dataplane.backend.io.SharedMemory;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The memory table: regions mapped from memfds (one at an {@code mmap_offset}), and translations that
 * succeed only for ranges lying whole in one region, whatever the numbers a front-end sends.
 */
class GuestMemoryTest {

    private static final long MIB = 1 << 20;
    private static final long OFFSET = 8192;

    private int low;
    private int high;

    @BeforeEach
    void files() {
        low = SharedMemory.memfd("low", MIB);
        high = SharedMemory.memfd("high", OFFSET + MIB);
    }

    @AfterEach
    void closeFiles() {
        Sockets.close(low);
        Sockets.close(high);
    }

    private GuestMemory map() throws ProtocolException {
        return GuestMemory.map(new GuestMemory.Region[] {
                new GuestMemory.Region(0, MIB, 0x7000_0000_0000L, 0),
                new GuestMemory.Region(4 * MIB, MIB, 0x7100_0000_0000L, OFFSET)}, new int[] {low, high});
    }

    @Test
    void guestPhysicalRangesTranslateOnlyWhenWholeInARegion() throws Exception {
        try (GuestMemory memory = map()) {
            assertEquals(0, memory.findGuestPhysical(0, MIB));
            assertEquals(0, memory.findGuestPhysical(MIB - 1, 1));
            assertEquals(-1, memory.findGuestPhysical(MIB - 1, 2), "crosses the end");
            assertEquals(-1, memory.findGuestPhysical(MIB, 1), "between the regions");
            assertEquals(-1, memory.findGuestPhysical(MIB, 0), "empty, but past the end");
            assertEquals(1, memory.findGuestPhysical(4 * MIB + 100, 200));
            assertEquals(-1, memory.findGuestPhysical(4 * MIB - 1, 2), "starts below the region");
            assertEquals(-1, memory.findGuestPhysical(4 * MIB, -1), "a length that is negative as a long");
            assertEquals(-1, memory.findGuestPhysical(4 * MIB + 16, Long.MAX_VALUE), "a length that wraps");
            assertEquals(-1, memory.findGuestPhysical(-16, 32), "an address that wraps");
            assertEquals(-1, memory.findGuestPhysical(0, MIB + 1));
        }
    }

    @Test
    void frontEndAddressesTranslateThroughTheirOwnBases() throws Exception {
        try (GuestMemory memory = map()) {
            assertEquals(1, memory.findUserAddress(0x7100_0000_0000L + MIB - 8, 8));
            assertEquals(-1, memory.findUserAddress(0x7100_0000_0000L + MIB - 8, 9));
            assertEquals(-1, memory.findUserAddress(0x6fff_ffff_fff0L, 8));
            assertEquals(-1, memory.findGuestPhysical(0x7000_0000_0000L, 8), "the two address spaces are apart");
        }
    }

    @Test
    void aRegionStartsAtItsMmapOffset() throws Exception {
        MemorySegment file = SharedMemory.map(high, OFFSET + MIB);
        try (GuestMemory memory = map()) {
            file.set(ValueLayout.JAVA_LONG, OFFSET, 0x1122334455667788L);
            assertEquals(MIB, memory.region(1).byteSize());
            assertEquals(0x1122334455667788L, memory.region(1).get(ValueLayout.JAVA_LONG, 0));
        } finally {
            SharedMemory.unmap(file);
        }
    }

    @Test
    void badTablesAreRefusedBeforeAnythingIsMapped() {
        assertThrows(ProtocolException.class, () -> GuestMemory.map(new GuestMemory.Region[] {
                new GuestMemory.Region(0, 0, 0, 0)}, new int[] {low}));
        assertThrows(ProtocolException.class, () -> GuestMemory.map(new GuestMemory.Region[] {
                new GuestMemory.Region(-4096, 8192, 0, 0)}, new int[] {low}));
        assertThrows(ProtocolException.class, () -> GuestMemory.map(new GuestMemory.Region[] {
                new GuestMemory.Region(0, MIB, 0, 0), new GuestMemory.Region(MIB / 2, MIB, 1L << 40, 0)},
                new int[] {low, high}));
        assertThrows(ProtocolException.class, () -> GuestMemory.map(new GuestMemory.Region[] {
                new GuestMemory.Region(0, MIB, 0, -1)}, new int[] {low}));
        assertThrows(ProtocolException.class, () -> GuestMemory.map(new GuestMemory.Region[] {
                new GuestMemory.Region(0, MIB, 0, OFFSET)}, new int[] {low}), "past the end of its file");
    }
}
