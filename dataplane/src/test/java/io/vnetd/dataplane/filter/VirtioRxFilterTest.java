package io.vnetd.dataplane.filter;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.MAC_C;
import static io.vnetd.dataplane.Frames.MULTICAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.Frames;
import io.vnetd.model.nic.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The decisions of QEMU's virtio-net receive_filter(), in its order. */
class VirtioRxFilterTest {

    private static final long OTHER_MULTICAST = MacAddress.of("33:33:00:00:00:01").bits();

    /** Filters as a guest driver sets them: not promiscuous, main MAC {@code MAC_A}. */
    private static VirtioRxFilter.Builder driver() {
        return VirtioRxFilter.builder(MAC_A).promiscuous(false);
    }

    /** A VLAN table that allows none, as QEMU clears it when the driver negotiates VLAN filtering. */
    private static VirtioRxFilter.Builder noVlans(VirtioRxFilter.Builder builder) {
        for (int vid = 0; vid < VirtioRxFilter.MAX_VLAN; vid++) {
            builder.vlanAllowed(vid, false);
        }
        return builder;
    }

    private static boolean accepts(VirtioRxFilter filter, byte[] frame) {
        return filter.accept(new UnsafeBuffer(frame), 0, frame.length);
    }

    private static byte[] to(long destination) {
        return Frames.frame(destination, MAC_C, 0);
    }

    @Test
    void withoutADriverTheDeviceIsPromiscuous() {
        VirtioRxFilter filter = noVlans(VirtioRxFilter.builder(MAC_A)).noUnicast(true).build();

        assertTrue(accepts(filter, to(MAC_B)));
        assertTrue(accepts(filter, Frames.tagged(MAC_B, MAC_C, 5)));
        assertTrue(filter.accept(new UnsafeBuffer(new byte[1]), 0, 1));
    }

    @Test
    void broadcastIsTakenUnlessNoBroadcastEvenWhenMulticastIsRefused() {
        assertTrue(accepts(driver().noMulticast(true).build(), to(MacAddress.BROADCAST.bits())));
        assertFalse(accepts(driver().noBroadcast(true).allMulticast(true).build(), to(MacAddress.BROADCAST.bits())));
    }

    @Test
    void multicastGoesByNoMultiThenAllMultiOrOverflowThenTheTable() {
        assertFalse(accepts(driver().build(), to(MULTICAST)));
        assertTrue(accepts(driver().multicastTable(MULTICAST).build(), to(MULTICAST)));
        assertFalse(accepts(driver().multicastTable(OTHER_MULTICAST).build(), to(MULTICAST)));
        assertTrue(accepts(driver().allMulticast(true).build(), to(MULTICAST)));
        assertTrue(accepts(driver().multicastOverflow(true).build(), to(MULTICAST)));
        assertFalse(accepts(driver().noMulticast(true).allMulticast(true).multicastTable(MULTICAST).build(), to(MULTICAST)));
    }

    @Test
    void aMulticastAddressInTheUnicastTableDoesNotLetItIn() {
        assertFalse(accepts(driver().unicastTable(MULTICAST).build(), to(MULTICAST)));
        assertFalse(accepts(driver().allUnicast(true).build(), to(MULTICAST)));
    }

    @Test
    void unicastGoesByNoUniThenAllUniOrOverflowThenTheMainMacThenTheTable() {
        assertTrue(accepts(driver().build(), to(MAC_A)));
        assertFalse(accepts(driver().build(), to(MAC_B)));
        assertTrue(accepts(driver().unicastTable(MAC_C, MAC_B).build(), to(MAC_B)));
        assertFalse(accepts(driver().multicastTable(MAC_B).build(), to(MAC_B)));
        assertTrue(accepts(driver().allUnicast(true).build(), to(MAC_B)));
        assertTrue(accepts(driver().unicastOverflow(true).build(), to(MAC_B)));
        assertFalse(accepts(driver().noUnicast(true).build(), to(MAC_A)));
    }

    @Test
    void aTaggedFrameOfAVlanNotInTheTableIsRefusedBeforeAnythingElse() {
        VirtioRxFilter onlyVlan5 = noVlans(driver()).vlanAllowed(5, true).build();

        assertTrue(accepts(onlyVlan5, Frames.tagged(MAC_A, MAC_C, 5)));
        assertFalse(accepts(onlyVlan5, Frames.tagged(MAC_A, MAC_C, 6)));
        assertFalse(accepts(onlyVlan5, Frames.tagged(MacAddress.BROADCAST.bits(), MAC_C, 6)));
        assertTrue(accepts(onlyVlan5, to(MAC_A)));
        assertFalse(accepts(driver().vlanAllowed(4095, false).build(), Frames.tagged(MAC_A, MAC_C, 4095)));
        assertTrue(accepts(driver().build(), Frames.tagged(MAC_A, MAC_C, 4095)));
    }

    @Test
    void aTaggedVlanStillNeedsTheAddressToPass() {
        assertFalse(accepts(driver().build(), Frames.tagged(MAC_B, MAC_C, 1)));
    }

    @Test
    void framesTooShortForAnAddressAreRefused() {
        assertFalse(driver().allUnicast(true).build().accept(new UnsafeBuffer(new byte[5]), 0, 5));
        byte[] header = new byte[14];
        header[5] = 1;
        assertTrue(driver().allUnicast(true).build().accept(new UnsafeBuffer(header), 0, 14));
    }

    @Test
    void theFilterReadsTheFrameWhereItStarts() {
        byte[] frame = to(MAC_A);
        byte[] shifted = new byte[frame.length + 3];
        System.arraycopy(frame, 0, shifted, 3, frame.length);
        assertTrue(driver().build().accept(new UnsafeBuffer(shifted), 3, frame.length));
    }

    @Test
    void theMacTableHoldsSixtyFourEntries() {
        long[] unicast = new long[40];
        long[] multicast = new long[25];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> driver().unicastTable(unicast).multicastTable(multicast).build());
        assertEquals("MAC table holds 64 entries, got 40 unicast and 25 multicast: set the overflow flags instead",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> driver().vlanAllowed(4096, true));
    }
}
