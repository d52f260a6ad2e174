package io.vnetd.dataplane.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.VlanTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** From the messages of a namespace's dumps to the interface's state, and from that to a virtio-net filter. */
class GuestInterfaceTest {

    private static final MacAddress MAC = MacAddress.of("52:54:00:12:34:56");
    private static final MacAddress GROUP = MacAddress.of("01:00:5e:01:02:03");
    private static final MacAddress IPV6_ALL_NODES = MacAddress.of("33:33:00:00:00:01");
    private static final MacAddress SECONDARY = MacAddress.of("02:00:00:00:00:bb");

    private static RouteMessages.Link link(int index, int flags, String name, int parent, String kind, int vid) {
        return new RouteMessages.Link(false, index, flags, name, Optional.of(MAC), parent,
                Optional.ofNullable(kind), vid < 0 ? OptionalInt.empty() : OptionalInt.of(vid));
    }

    private static RouteMessages.Neighbour entry(int index, MacAddress address) {
        return new RouteMessages.Neighbour(false, RouteMessages.AF_BRIDGE, index, Optional.of(address));
    }

    @Test
    void theInterfacesFlagsListsAndVlansAreItsOwn() {
        List<RouteMessages.Message> links = List.of(
                link(1, RouteMessages.IFF_UP, "lo", 0, null, -1),
                link(4, RouteMessages.IFF_UP | RouteMessages.IFF_PROMISC | RouteMessages.IFF_ALLMULTI, "vtg0", 0, null, -1),
                link(7, 0, "vtg0.7", 4, "vlan", 7),
                link(8, 0, "vtg0.12", 4, "vlan", 12),
                link(9, 0, "other.3", 5, "vlan", 3),
                link(10, 0, "mv", 4, "macvlan", -1));
        List<RouteMessages.Message> lists = List.of(
                entry(4, GROUP), entry(4, SECONDARY), entry(4, IPV6_ALL_NODES), entry(4, GROUP),
                entry(7, MacAddress.of("01:00:5e:00:00:09")),
                new RouteMessages.Neighbour(false, 2, 4, Optional.of(MacAddress.of("02:00:00:00:00:cc"))),
                new RouteMessages.Neighbour(true, RouteMessages.AF_BRIDGE, 4, Optional.of(MacAddress.of("02:00:00:00:00:dd"))));
        GuestInterface state = GuestInterface.of(4, links, lists).orElseThrow();
        assertEquals(new GuestInterface(true, true, MAC, List.of(SECONDARY), List.of(GROUP, IPV6_ALL_NODES),
                new TreeSet<>(Set.of(7, 12))), state);
    }

    @Test
    void anInterfaceTheDumpDoesNotHaveHasNoState() {
        assertEquals(Optional.empty(), GuestInterface.of(4, List.of(link(1, 0, "lo", 0, null, -1)), List.of()));
    }

    @Test
    void aQuietGuestAsksForItsMacBroadcastAndUntaggedFramesOnly() {
        RxFilter filter = new GuestInterface(false, false, MAC, List.of(), List.of(), new TreeSet<>()).rxFilter();
        assertFalse(filter.promiscuous());
        assertFalse(filter.allMulti());
        assertFalse(filter.noBroadcast());
        assertEquals(MAC, filter.mainMac());
        assertEquals("normal", filter.unicastState());
        assertEquals("normal", filter.multicastState());
        assertEquals("none", filter.vlanState());
        assertTrue(filter.unicastTable().isEmpty() && filter.multicastTable().isEmpty());
    }

    @Test
    void flagsListsAndVlansBecomeTheFilter() {
        RxFilter filter = new GuestInterface(true, true, SECONDARY, List.of(MAC), List.of(GROUP),
                new TreeSet<>(Set.of(5, 4095))).rxFilter();
        assertTrue(filter.promiscuous());
        assertTrue(filter.allMulti());
        assertEquals(SECONDARY, filter.mainMac());
        assertEquals(List.of(MAC), filter.unicastTable());
        assertEquals(List.of(GROUP), filter.multicastTable());
        assertTrue(filter.vlanFiltering());
        assertEquals(VlanTable.NONE.with(5, true).with(4095, true), filter.vlans());
    }

    @Test
    void listsLongerThanTheMacTableOverflowAsTheDeviceDoes() {
        List<MacAddress> groups = new ArrayList<>();
        for (int i = 0; i < RxFilter.MAC_TABLE_ENTRIES + 1; i++) {
            groups.add(new MacAddress(0x01005e000000L + i));
        }
        RxFilter filter = new GuestInterface(false, false, MAC, List.of(SECONDARY), groups, new TreeSet<>()).rxFilter();
        assertTrue(filter.multicastOverflow());
        assertEquals(List.of(SECONDARY), filter.unicastTable());
        assertTrue(filter.multicastTable().isEmpty());
    }
}
