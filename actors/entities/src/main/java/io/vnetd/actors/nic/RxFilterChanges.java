package io.vnetd.actors.nic;

import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.VlanTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's events that take a NIC's filter from one value to another: what a virtio-net driver
 * would send on its control queue to turn the device's filter into the one its network stack asks for.
 * Pure; applying the events to the first filter gives the second.
 */
public final class RxFilterChanges {

    private RxFilterChanges() {
    }

    /**
     * @param standby the standby flag the NIC keeps (feature acknowledgement carries it unchanged)
     * @return nothing when the filters are equal
     */
    public static List<NicEvent> between(RxFilter from, RxFilter to, boolean standby) {
        List<NicEvent> events = new ArrayList<>();
        for (RxFilter.RxFlag flag : RxFilter.RxFlag.values()) {
            boolean wanted = flag(to, flag);
            if (flag(from, flag) != wanted) {
                events.add(new NicEvent.RxFlagSet(flag, wanted));
            }
        }
        if (!from.unicastTable().equals(to.unicastTable()) || !from.multicastTable().equals(to.multicastTable())
                || from.unicastOverflow() != to.unicastOverflow() || from.multicastOverflow() != to.multicastOverflow()) {
            events.add(new NicEvent.MacTableSet(to.unicastTable(), to.multicastTable(), to.unicastOverflow(),
                    to.multicastOverflow()));
        }
        if (!from.mainMac().equals(to.mainMac())) {
            events.add(new NicEvent.MainMacSet(to.mainMac()));
        }
        VlanTable vlans = from.vlans();
        if (from.vlanFiltering() != to.vlanFiltering()) {
            events.add(new NicEvent.FeaturesAcked(to.vlanFiltering(), standby));
            vlans = to.vlanFiltering() ? VlanTable.NONE : VlanTable.ALL;
        }
        for (int vid = 0; vid < VlanTable.MAX_VLAN; vid++) {
            if (vlans.contains(vid) != to.vlans().contains(vid)) {
                events.add(new NicEvent.VlanSet(vid, to.vlans().contains(vid)));
            }
        }
        return events;
    }

    private static boolean flag(RxFilter filter, RxFilter.RxFlag flag) {
        return switch (flag) {
            case PROMISC -> filter.promiscuous();
            case ALLMULTI -> filter.allMulti();
            case ALLUNI -> filter.allUni();
            case NOMULTI -> filter.noMulti();
            case NOUNI -> filter.noUni();
            case NOBCAST -> filter.noBroadcast();
        };
    }
}
