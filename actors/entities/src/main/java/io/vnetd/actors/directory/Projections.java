package io.vnetd.actors.directory;

import io.vnetd.actors.announce.AnnounceTarget;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicState;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.RxFilterInfo;
import io.vnetd.model.service.NetworkView;
import io.vnetd.actors.cluster.HubSpans;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/** What readers see of the index and of the entities' states: listings, filters, an announcement's NICs. */
final class Projections {

    private Projections() {
    }

    /** Hubs and net clients in QEMU's order: hubs as created, clients in creation order. */
    static NetworkView view(NetIndex index, Placements placements) {
        List<Integer> hubs = index.hubs().entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .toList();
        record Row(long ordinal, NetClientInfo info) {
        }
        List<NetClientInfo> clients = Stream.concat(
                        index.netdevs().stream().map(e -> new Row(e.state().ordinal(), netdevInfo(e, placements))),
                        index.nics().stream().map(n -> new Row(n.ordinal(), nicInfo(n, placements))))
                .sorted(Comparator.comparingLong(Row::ordinal))
                .map(Row::info)
                .toList();
        return new NetworkView(hubs, clients);
    }

    /** The nodes of every hub that has ports on more than one node. */
    static HubSpans hubSpans(NetIndex index, Placements placements) {
        Map<Integer, Set<String>> nodes = new HashMap<>();
        for (NetIndex.NetdevEntry entry : index.netdevs()) {
            if (entry.state().config() instanceof NetdevConfig.Hubport hubport) {
                Set<String> hubNodes = nodes.computeIfAbsent(hubport.hubid(), hub -> new HashSet<>());
                placements.where(NetClientRef.netdev(hubport.id())).ifPresent(hubNodes::add);
            }
        }
        nodes.values().removeIf(set -> set.size() < 2);
        Map<Integer, Set<String>> spans = new HashMap<>();
        nodes.forEach((hub, set) -> spans.put(hub, Set.copyOf(set)));
        return new HubSpans(Map.copyOf(spans));
    }

    /** The node a client runs on, as readers see it (one that may move and has not answered yet: its group). */
    private static String node(NetClientRef client, Placements placements) {
        return placements.where(client).orElse(placements.of(client).node());
    }

    /** The NICs an announcement round goes to, in creation order. */
    static List<AnnounceTarget> announceTargets(NetIndex index, Placements placements) {
        return index.nics().stream()
                .sorted(Comparator.comparingLong(NicState.Present::ordinal))
                .map(nic -> new AnnounceTarget(nic.config().name(), nic.config().mac(),
                        node(NetClientRef.nic(nic.config().name()), placements)))
                .toList();
    }

    /** A NIC's filter as {@code query-rx-filter} reports it. */
    static RxFilterInfo rxFilterInfo(NicState.Present nic) {
        RxFilter filter = nic.rxFilter();
        // QEMU fills the tables by prepending, so they read newest first.
        return new RxFilterInfo(nic.config().name(), filter.promiscuous(), filter.multicastState(),
                filter.unicastState(), filter.vlanState(),
                // Sic: QEMU reports the "no broadcast" switch under this name.
                filter.noBroadcast(),
                filter.multicastOverflow(), filter.unicastOverflow(), filter.mainMac().toString(),
                filter.vlans().descending(),
                filter.unicastTable().reversed().stream().map(MacAddress::toString).toList(),
                filter.multicastTable().reversed().stream().map(MacAddress::toString).toList());
    }

    private static NetClientInfo netdevInfo(NetIndex.NetdevEntry entry, Placements placements) {
        NetdevState.Present state = entry.state();
        OptionalInt hub = state.config() instanceof NetdevConfig.Hubport hubport
                ? OptionalInt.of(hubport.hubid())
                : OptionalInt.empty();
        return new NetClientInfo(state.config().id(), state.config().type(), state.linkUp(),
                state.peer().map(NetClientRef::name), hub, "", entry.status(),
                node(NetClientRef.netdev(state.config().id()), placements));
    }

    private static NetClientInfo nicInfo(NicState.Present nic, Placements placements) {
        return new NetClientInfo(nic.config().name(), "nic", nic.linkUp(), nic.peer(), OptionalInt.empty(),
                nic.config().info(), NetClientInfo.OK, node(NetClientRef.nic(nic.config().name()), placements));
    }
}
