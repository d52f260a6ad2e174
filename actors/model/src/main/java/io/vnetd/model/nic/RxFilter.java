package io.vnetd.model.nic;

import java.util.List;

/**
 * virtio-net's receive filter as its guest driver programs it through the control queue
 * ({@code hw/net/virtio-net.c}). Immutable; every guest command is a pure function to a new value.
 *
 * @param vlanFiltering whether the guest negotiated VIRTIO_NET_F_CTRL_VLAN; without it every VLAN
 *                      passes and {@code query-rx-filter} reports {@code vlan: all}
 */
public record RxFilter(
        boolean promiscuous,
        boolean allMulti,
        boolean allUni,
        boolean noMulti,
        boolean noUni,
        boolean noBroadcast,
        List<MacAddress> unicastTable,
        List<MacAddress> multicastTable,
        boolean unicastOverflow,
        boolean multicastOverflow,
        VlanTable vlans,
        boolean vlanFiltering,
        MacAddress mainMac) {

    /** virtio-net's MAC_TABLE_ENTRIES: unicast and multicast entries share it. */
    public static final int MAC_TABLE_ENTRIES = 64;

    public RxFilter {
        unicastTable = List.copyOf(unicastTable);
        multicastTable = List.copyOf(multicastTable);
    }

    /** The filter of a device no driver has touched, or that its driver reset: "compatibility mode". */
    public static RxFilter reset(MacAddress configuredMac) {
        return new RxFilter(true, false, false, false, false, false, List.of(), List.of(), false, false,
                VlanTable.ALL, false, configuredMac);
    }

    /** The rx-mode switches of VIRTIO_NET_CTRL_RX, in the order of their command numbers. */
    public enum RxFlag { PROMISC, ALLMULTI, ALLUNI, NOMULTI, NOUNI, NOBCAST }

    public RxFilter withFlag(RxFlag flag, boolean on) {
        return new RxFilter(
                flag == RxFlag.PROMISC ? on : promiscuous,
                flag == RxFlag.ALLMULTI ? on : allMulti,
                flag == RxFlag.ALLUNI ? on : allUni,
                flag == RxFlag.NOMULTI ? on : noMulti,
                flag == RxFlag.NOUNI ? on : noUni,
                flag == RxFlag.NOBCAST ? on : noBroadcast,
                unicastTable, multicastTable, unicastOverflow, multicastOverflow, vlans, vlanFiltering, mainMac);
    }

    /**
     * VIRTIO_NET_CTRL_MAC_TABLE_SET: a unicast list that does not fit overflows (and is dropped);
     * the multicast list gets the entries the unicast list left.
     */
    public RxFilter withMacTable(List<MacAddress> unicast, List<MacAddress> multicast) {
        boolean uniOverflow = unicast.size() > MAC_TABLE_ENTRIES;
        List<MacAddress> uni = uniOverflow ? List.of() : unicast;
        boolean multiOverflow = multicast.size() > MAC_TABLE_ENTRIES - uni.size();
        List<MacAddress> multi = multiOverflow ? List.of() : multicast;
        return new RxFilter(promiscuous, allMulti, allUni, noMulti, noUni, noBroadcast,
                uni, multi, uniOverflow, multiOverflow, vlans, vlanFiltering, mainMac);
    }

    public RxFilter withMainMac(MacAddress mac) {
        return new RxFilter(promiscuous, allMulti, allUni, noMulti, noUni, noBroadcast,
                unicastTable, multicastTable, unicastOverflow, multicastOverflow, vlans, vlanFiltering, mac);
    }

    public RxFilter withVlan(int vid, boolean member) {
        return new RxFilter(promiscuous, allMulti, allUni, noMulti, noUni, noBroadcast,
                unicastTable, multicastTable, unicastOverflow, multicastOverflow, vlans.with(vid, member),
                vlanFiltering, mainMac);
    }

    /** Feature negotiation: with CTRL_VLAN the guest starts from an empty table, without it all pass. */
    public RxFilter withVlanFiltering(boolean ctrlVlan) {
        return new RxFilter(promiscuous, allMulti, allUni, noMulti, noUni, noBroadcast,
                unicastTable, multicastTable, unicastOverflow, multicastOverflow,
                ctrlVlan ? VlanTable.NONE : VlanTable.ALL, ctrlVlan, mainMac);
    }

    /** {@code RxState} of the unicast filter, as query-rx-filter reports it. */
    public String unicastState() {
        return noUni ? "none" : allUni ? "all" : "normal";
    }

    public String multicastState() {
        return noMulti ? "none" : allMulti ? "all" : "normal";
    }

    public String vlanState() {
        return !vlanFiltering ? "all" : vlans.isEmpty() ? "none" : "normal";
    }
}
