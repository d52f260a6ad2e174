package io.vnetd.dataplane.guest;

import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.VlanTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a guest's network stack asks of its interface, as rtnetlink shows it: the flags the user set
 * ({@code ip link set promisc|allmulticast on}), the interface's MAC, its unicast and multicast address
 * lists (secondary addresses, {@code ip maddr}, groups joined) and the VLANs of the VLAN interfaces on
 * it. {@link #rxFilter} is the filter a virtio-net driver would program for that state.
 *
 * @param unicast   the device's unicast list, in the kernel's order (its own MAC is not in it)
 * @param multicast the device's multicast list, in the kernel's order
 * @param vlans     the VLAN ids of the {@code vlan} interfaces whose lower device it is
 */
public record GuestInterface(boolean promiscuous, boolean allMulti, MacAddress mac, List<MacAddress> unicast,
                             List<MacAddress> multicast, SortedSet<Integer> vlans) {

    public GuestInterface {
        unicast = List.copyOf(unicast);
        multicast = List.copyOf(multicast);
        vlans = new TreeSet<>(vlans);
    }

    /**
     * The state of interface {@code index} from a link dump and a bridge-family neighbour dump of its
     * namespace; nothing if the link dump does not have it.
     */
    public static Optional<GuestInterface> of(int index, List<RouteMessages.Message> links,
                                              List<RouteMessages.Message> neighbours) {
        Optional<RouteMessages.Link> self = links.stream()
                .filter(m -> m instanceof RouteMessages.Link l && !l.deleted() && l.index() == index)
                .map(RouteMessages.Link.class::cast).findFirst();
        if (self.isEmpty() || self.get().address().isEmpty()) {
            return Optional.empty();
        }
        SortedSet<Integer> vlans = new TreeSet<>();
        for (RouteMessages.Message m : links) {
            if (m instanceof RouteMessages.Link l && !l.deleted() && l.link() == index && l.index() != index
                    && l.vlanId().isPresent()) {
                vlans.add(l.vlanId().getAsInt());
            }
        }
        List<MacAddress> unicast = new ArrayList<>();
        List<MacAddress> multicast = new ArrayList<>();
        for (RouteMessages.Message m : neighbours) {
            if (m instanceof RouteMessages.Neighbour n && !n.deleted() && n.index() == index
                    && n.family() == RouteMessages.AF_BRIDGE && n.address().isPresent()) {
                MacAddress address = n.address().get();
                List<MacAddress> list = address.isMulticast() ? multicast : unicast;
                if (!list.contains(address)) {
                    list.add(address);
                }
            }
        }
        int flags = self.get().flags();
        return Optional.of(new GuestInterface((flags & RouteMessages.IFF_PROMISC) != 0,
                (flags & RouteMessages.IFF_ALLMULTI) != 0, self.get().address().get(), unicast, multicast, vlans));
    }

    /**
     * The filter Linux's virtio-net driver programs for this state ({@code virtnet_set_rx_mode},
     * {@code virtnet_vlan_rx_add_vid}): promiscuous and all-multicast as the flags say, the unicast and
     * multicast lists as the MAC table (the device's overflow rules apply), the MAC as the main MAC,
     * and VLAN filtering negotiated with exactly the VLANs configured on the interface.
     */
    public RxFilter rxFilter() {
        VlanTable table = VlanTable.NONE;
        for (int vid : vlans) {
            if (vid >= 0 && vid < VlanTable.MAX_VLAN) {
                table = table.with(vid, true);
            }
        }
        return new RxFilter(promiscuous, allMulti, false, false, false, false, List.of(), List.of(), false, false,
                table, true, mac).withMacTable(unicast, multicast);
    }
}
