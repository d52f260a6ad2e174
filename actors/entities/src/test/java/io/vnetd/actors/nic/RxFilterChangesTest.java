package io.vnetd.actors.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.NicModel;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.VlanTable;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The events that mirror a guest's filter: applied to the NIC's state they give exactly that filter. */
class RxFilterChangesTest {

    private static final MacAddress MAC = MacAddress.of("52:54:00:12:34:56");
    private static final NicConfig CONFIG = new NicConfig("n0", Optional.of("n0"), NicModel.VIRTIO_NET_PCI,
            Optional.empty(), MAC, "/machine/peripheral/n0", Optional.empty(), Optional.empty(), false);

    private static RxFilter applied(RxFilter from, List<NicEvent> events) {
        NicState state = new NicState.Present(CONFIG, true, Optional.empty(), from, true, false, 0);
        for (NicEvent event : events) {
            state = state.apply(event);
        }
        return ((NicState.Present) state).rxFilter();
    }

    private static RxFilter mirrored(boolean promiscuous, boolean allMulti, MacAddress mac, List<MacAddress> unicast,
                                     List<MacAddress> multicast, int... vlans) {
        VlanTable table = VlanTable.NONE;
        for (int vid : vlans) {
            table = table.with(vid, true);
        }
        return new RxFilter(promiscuous, allMulti, false, false, false, false, List.of(), List.of(), false, false,
                table, true, mac).withMacTable(unicast, multicast);
    }

    @Test
    void equalFiltersNeedNoEvent() {
        RxFilter filter = mirrored(false, false, MAC, List.of(), List.of());
        assertEquals(List.of(), RxFilterChanges.between(filter, filter, false));
    }

    @Test
    void aDriverLoadingOnAFreshDeviceLeavesCompatibilityMode() {
        RxFilter from = RxFilter.reset(MAC);
        RxFilter to = mirrored(false, false, MAC, List.of(), List.of(MacAddress.of("33:33:00:00:00:01")), 7);
        List<NicEvent> events = RxFilterChanges.between(from, to, false);
        assertEquals(List.of(
                new NicEvent.RxFlagSet(RxFilter.RxFlag.PROMISC, false),
                new NicEvent.MacTableSet(List.of(), List.of(MacAddress.of("33:33:00:00:00:01")), false, false),
                new NicEvent.FeaturesAcked(true, false),
                new NicEvent.VlanSet(7, true)), events);
        assertEquals(to, applied(from, events));
    }

    @Test
    void eachKindOfChangeIsTheEventOfItsControlMessage() {
        MacAddress other = MacAddress.of("02:00:00:00:aa:01");
        RxFilter from = mirrored(false, false, MAC, List.of(), List.of(), 3, 7);
        RxFilter to = mirrored(true, true, other, List.of(MacAddress.of("02:00:00:00:00:bb")), List.of(), 7, 9);
        List<NicEvent> events = RxFilterChanges.between(from, to, true);
        assertEquals(List.of(
                new NicEvent.RxFlagSet(RxFilter.RxFlag.PROMISC, true),
                new NicEvent.RxFlagSet(RxFilter.RxFlag.ALLMULTI, true),
                new NicEvent.MacTableSet(List.of(MacAddress.of("02:00:00:00:00:bb")), List.of(), false, false),
                new NicEvent.MainMacSet(other),
                new NicEvent.VlanSet(3, false),
                new NicEvent.VlanSet(9, true)), events);
        assertEquals(to, applied(from, events));
    }

    @Test
    void overflowIsCarriedAsTheTableHoldsIt() {
        List<MacAddress> many = new java.util.ArrayList<>();
        for (int i = 0; i <= RxFilter.MAC_TABLE_ENTRIES; i++) {
            many.add(new MacAddress(0x01005e000000L + i));
        }
        RxFilter from = mirrored(false, false, MAC, List.of(), List.of());
        RxFilter to = mirrored(false, false, MAC, List.of(), many);
        assertEquals(to, applied(from, RxFilterChanges.between(from, to, false)));
        assertEquals(from, applied(to, RxFilterChanges.between(to, from, false)));
    }
}
