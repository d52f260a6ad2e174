package io.vnetd.model.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RxFilterTest {

    private static final MacAddress MAC = MacAddress.of("52:54:00:12:34:56");

    private static List<MacAddress> macs(int count, int firstOctet) {
        return IntStream.range(0, count).mapToObj(i -> new MacAddress(((long) firstOctet << 40) | i)).toList();
    }

    @Test
    void aFreshDeviceIsInCompatibilityMode() {
        RxFilter filter = RxFilter.reset(MAC);
        assertTrue(filter.promiscuous());
        assertEquals("normal", filter.unicastState());
        assertEquals("normal", filter.multicastState());
        assertEquals("all", filter.vlanState());
        assertEquals(4096, filter.vlans().descending().size());
    }

    @Test
    void rxModeSwitchesMapToQemusStates() {
        RxFilter filter = RxFilter.reset(MAC)
                .withFlag(RxFilter.RxFlag.ALLUNI, true)
                .withFlag(RxFilter.RxFlag.NOMULTI, true);
        assertEquals("all", filter.unicastState());
        assertEquals("none", filter.multicastState());
        assertEquals("none", filter.withFlag(RxFilter.RxFlag.NOUNI, true).unicastState(), "no-unicast wins");
    }

    @Test
    void macTableOverflowFollowsVirtioNet() {
        RxFilter fits = RxFilter.reset(MAC).withMacTable(macs(60, 0x52), macs(4, 0x01));
        assertEquals(60, fits.unicastTable().size());
        assertEquals(4, fits.multicastTable().size());
        assertFalse(fits.unicastOverflow() || fits.multicastOverflow());

        RxFilter multiOverflow = RxFilter.reset(MAC).withMacTable(macs(60, 0x52), macs(5, 0x01));
        assertTrue(multiOverflow.multicastOverflow());
        assertEquals(List.of(), multiOverflow.multicastTable());

        RxFilter uniOverflow = RxFilter.reset(MAC).withMacTable(macs(65, 0x52), macs(64, 0x01));
        assertTrue(uniOverflow.unicastOverflow());
        assertEquals(List.of(), uniOverflow.unicastTable());
        assertEquals(64, uniOverflow.multicastTable().size(), "a dropped unicast list leaves room for multicast");
    }

    @Test
    void vlanFilteringStartsEmptyOnceNegotiated() {
        RxFilter filter = RxFilter.reset(MAC).withVlanFiltering(true);
        assertEquals("none", filter.vlanState());
        filter = filter.withVlan(100, true).withVlan(7, true);
        assertEquals("normal", filter.vlanState());
        assertEquals(List.of(100, 7), filter.vlans().descending());
        assertEquals(List.of(7), filter.withVlan(100, false).vlans().descending());
    }

    @Test
    void vlanTableRoundTripsThroughItsTextForm() {
        VlanTable table = VlanTable.NONE.with(0, true).with(4095, true).with(1234, true);
        assertEquals(table, VlanTable.fromHex(table.toHex()));
    }

    @Test
    void macAddressesParseAsQdevDoes() {
        assertEquals("52:54:00:12:34:56", MacAddress.of("52-54-00-12-34-56").toString());
        assertEquals("aa:bb:cc:dd:ee:ff", MacAddress.of("AA:BB:CC:DD:EE:FF").toString());
        assertTrue(MacAddress.parse("zz:54:00:12:34:59").isEmpty());
        assertTrue(MacAddress.parse("52:54:00:12:34").isEmpty());
        assertTrue(MacAddress.parse("52:54:00:12:34:5").isEmpty());
        assertTrue(MacAddress.parse("52:54:00:12:34:567").isEmpty());
        assertTrue(MacAddress.of("01:00:5e:00:00:01").isMulticast());
        assertFalse(MacAddress.of("52:54:00:12:34:56").isMulticast());
        assertEquals(0x5254_0012_3456L, MacAddress.of("52:54:00:12:34:56").bits());
        assertEquals(MacAddress.BROADCAST, MacAddress.of("ff:FF:ff:ff:ff:ff"));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST.bits()));
    }
}
