package io.vnetd.actors.directory;

import io.vnetd.actors.announce.AnnounceTarget;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicState;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.NetdevRules;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.NicModel;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.RxFilterInfo;
import io.vnetd.model.service.NetworkView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The index of every net client: names, peers, hubs, MACs and creation order. It is derived from the
 * entities (which alone are journaled) and rebuilt from them at start, so it is never a second
 * source of truth; it checks the rules that span several entities before any of them is asked.
 * Single-threaded by construction: only {@link NetDirectory} touches it.
 */
final class Directory {

    /** A netdev as its entity last confirmed it; {@code status} says whether its resource is held. */
    record NetdevEntry(NetdevState.Present state, String status) {
    }

    /** What an accepted {@code netdev_add} does: attach {@code peer} (if any), then create. */
    record NetdevPlan(NetdevConfig config, Optional<String> peer, long ordinal, long hubOrdinal) {
    }

    /** What an accepted {@code device_add} does: attach the netdev (if any), then create the NIC. */
    record NicPlan(NicConfig config, long ordinal) {
    }

    /** QEMU's automatic MACs: 52:54:00:12:34:XX, XX the first free from 0x56. */
    private static final long AUTO_MAC_BASE = 0x5254_0012_3400L;
    private static final int FIRST_AUTO_MAC = 0x56;

    private final Map<String, NetdevEntry> netdevs = new HashMap<>();
    private final Map<String, NicState.Present> nics = new HashMap<>();
    private final Map<Integer, Long> hubOrdinals = new HashMap<>();
    private long nextOrdinal = 1;
    private int nextAnonymousDevice;

    /** Takes an entity's confirmed state; an absent one leaves the index. */
    void update(Confirmed confirmed) {
        switch (confirmed) {
            case Confirmed.OfNetdev(var done) -> {
                if (done.state() instanceof NetdevState.Present present) {
                    netdevs.put(done.name(), new NetdevEntry(present, done.status()));
                    advanceOrdinal(Math.max(present.ordinal(), present.hubOrdinal()));
                    if (present.config() instanceof NetdevConfig.Hubport hubport) {
                        hubOrdinals.merge(hubport.hubid(), present.hubOrdinal(), Math::min);
                    }
                } else {
                    netdevs.remove(done.name());
                }
            }
            case Confirmed.OfNic(var done) -> {
                if (done.state() instanceof NicState.Present present) {
                    nics.put(done.name(), present);
                    advanceOrdinal(present.ordinal());
                    anonymousIndex(present.config()).ifPresent(n -> nextAnonymousDevice = Math.max(nextAnonymousDevice, n + 1));
                } else {
                    nics.remove(done.name());
                }
            }
        }
    }

    private void advanceOrdinal(long used) {
        nextOrdinal = Math.max(nextOrdinal, used + 1);
    }

    private static OptionalInt anonymousIndex(NicConfig config) {
        String prefix = "/machine/peripheral-anon/device[";
        String path = config.qomPath();
        return path.startsWith(prefix)
                ? OptionalInt.of(Integer.parseInt(path.substring(prefix.length(), path.length() - 1)))
                : OptionalInt.empty();
    }

    Optional<NetdevEntry> netdev(String name) {
        return Optional.ofNullable(netdevs.get(name));
    }

    Optional<NicState.Present> nic(String name) {
        return Optional.ofNullable(nics.get(name));
    }

    /** The peer a client has now. */
    Optional<NetClientRef> peerOf(NetClientRef client) {
        return switch (client.kind()) {
            case NETDEV -> netdev(client.name()).flatMap(e -> e.state().peer());
            case NIC -> nic(client.name()).flatMap(NicState.Present::peer).map(NetClientRef::netdev);
        };
    }

    /**
     * Whether a netdev given on the command line is already there, as given.
     *
     * @throws NetException when a netdev of that id exists with another configuration
     */
    boolean alreadyDeclared(NetdevConfig config) {
        NetdevEntry existing = netdevs.get(config.id());
        if (existing == null) {
            return false;
        }
        if (!existing.state().config().equals(config)) {
            throw NetErrors.netdevDeclaredOtherwise(config.id());
        }
        return true;
    }

    /**
     * Whether a NIC given on the command line is already there: the NIC of that id, or (without id)
     * one of that model on that netdev.
     *
     * @throws NetException when the NIC of that id exists with another model, netdev or MAC
     */
    boolean alreadyDeclared(NicRequest request) {
        Optional<NicState.Present> existing = request.id().isPresent()
                ? findDevice(request.id().get())
                : nics.values().stream().filter(nic -> nic.config().id().isEmpty()
                        && nic.config().model().driver().equals(request.driver())
                        && nic.config().netdev().equals(request.netdev())).findFirst();
        if (existing.isEmpty()) {
            return false;
        }
        NicConfig config = existing.get().config();
        boolean same = config.model().driver().equals(request.driver())
                && config.netdev().equals(request.netdev())
                && request.mac().map(mac -> MacAddress.parse(mac).equals(Optional.of(config.mac()))).orElse(true);
        if (!same) {
            throw NetErrors.nicDeclaredOtherwise(config.name());
        }
        return true;
    }

    /** QEMU's checks for {@code netdev_add}, in its order; nothing changes until the plan is carried out. */
    NetdevPlan planNetdev(NetdevConfig config) {
        NetdevRules.checkAdd(config.id(), config.type());
        if (netdevs.containsKey(config.id())) {
            throw NetErrors.duplicateId(config.id());
        }
        config.validate();
        Optional<String> peer = config.configuredPeer();
        if (peer.isPresent()) {
            NetdevEntry target = netdevs.get(peer.get());
            if (target == null) {
                throw NetErrors.netdevNotFound(peer.get());
            }
            if (target.state().peer().isPresent()) {
                throw NetErrors.netdevInUse(peer.get());
            }
        }
        long hubOrdinal = 0;
        if (config instanceof NetdevConfig.Hubport hubport) {
            Long existing = hubOrdinals.get(hubport.hubid());
            hubOrdinal = existing != null ? existing : nextOrdinal++;
        }
        return new NetdevPlan(config, peer, nextOrdinal++, hubOrdinal);
    }

    /**
     * QEMU's checks for {@code device_add} of a NIC, in its order: the driver, the id, then the
     * properties ({@code netdev}, {@code mac}); then the defaults a realized NIC gets.
     */
    NicPlan planNic(NicRequest request) {
        NicModel model = NicModel.ofDriver(request.driver()).orElseThrow(() -> NetErrors.notADeviceModel(request.driver()));
        request.id().ifPresent(NetdevRules::requireIdentifier);
        if (request.id().isPresent() && findDevice(request.id().get()).isPresent()) {
            // QEMU 7.2 finds the id taken among its QemuOpts, before the device exists.
            throw NetErrors.duplicateDeviceOption(request.id().get());
        }
        String qomPath = request.id().map(id -> "/machine/peripheral/" + id)
                .orElseGet(() -> "/machine/peripheral-anon/device[" + nextAnonymousDevice++ + "]");
        String owner = model.propertyOwner();
        if (request.netdev().isPresent()) {
            String netdev = request.netdev().get();
            NetdevEntry backend = netdevs.get(netdev);
            if (backend == null) {
                throw NetErrors.netdevPropertyNotFound(owner, netdev);
            }
            if (backend.state().peer().isPresent()) {
                throw NetErrors.netdevPropertyInUse(owner, netdev);
            }
        }
        MacAddress mac = request.mac().isPresent()
                ? MacAddress.parse(request.mac().get()).orElseThrow(() -> NetErrors.badMacProperty(owner, request.mac().get()))
                : automaticMac();
        if (!request.unknownProperties().isEmpty()) {
            throw NetErrors.propertyNotFound(model.driver(), request.unknownProperties().getFirst());
        }
        String name = request.id().orElseGet(() -> generatedName(model));
        NicConfig config = new NicConfig(name, request.id(), model, request.netdev(), mac, qomPath,
                request.bus(), request.addr(), request.failover());
        return new NicPlan(config, nextOrdinal++);
    }

    private MacAddress automaticMac() {
        for (int last = FIRST_AUTO_MAC; last < 0xFF; last++) {
            MacAddress candidate = new MacAddress(AUTO_MAC_BASE | last);
            if (nics.values().stream().noneMatch(nic -> nic.config().mac().equals(candidate))) {
                return candidate;
            }
        }
        throw NetErrors.noAutomaticMacLeft();
    }

    /**
     * QEMU names a NIC without id {@code model.N}, N counting the NICs of that model; where that
     * name is still taken (an earlier one was deleted), vnetd counts on, since names must be unique.
     */
    private String generatedName(NicModel model) {
        long sameModel = nics.values().stream().filter(nic -> nic.config().model() == model).count();
        for (long n = sameModel; ; n++) {
            String name = model.driver() + "." + n;
            if (!nics.containsKey(name)) {
                return name;
            }
        }
    }

    /** A NIC by device id or QOM path, as {@code device_del} names it. */
    Optional<NicState.Present> findDevice(String idOrPath) {
        return nics.values().stream()
                .filter(nic -> nic.config().id().equals(Optional.of(idOrPath)) || nic.config().qomPath().equals(idOrPath))
                .findFirst();
    }

    /**
     * The clients {@code set_link} changes: every client of that name and, when the first of them
     * has a NIC as its peer, that NIC too (a backend's link down silences its NIC).
     */
    List<NetClientRef> linkTargets(String name) {
        List<NetClientRef> named = clientsNamed(name);
        if (named.isEmpty()) {
            throw NetErrors.deviceNotFound(name);
        }
        List<NetClientRef> targets = new ArrayList<>(named);
        peerOf(named.getFirst())
                .filter(peer -> peer.kind() == NetClientRef.Kind.NIC && !targets.contains(peer))
                .ifPresent(targets::add);
        return targets;
    }

    /** Every client with that name (a netdev and a NIC may share one), in creation order. */
    private List<NetClientRef> clientsNamed(String name) {
        NetdevEntry netdev = netdevs.get(name);
        NicState.Present nic = nics.get(name);
        if (netdev == null || nic == null) {
            return netdev != null ? List.of(NetClientRef.netdev(name))
                    : nic != null ? List.of(NetClientRef.nic(name)) : List.of();
        }
        return netdev.state().ordinal() <= nic.ordinal()
                ? List.of(NetClientRef.netdev(name), NetClientRef.nic(name))
                : List.of(NetClientRef.nic(name), NetClientRef.netdev(name));
    }

    /**
     * The NICs {@code query-rx-filter} reports, by QEMU's walk over all clients: with a name, the
     * first client of that name decides; without, every NIC that has a filter.
     */
    List<String> rxFilterTargets(Optional<String> name) {
        if (name.isEmpty()) {
            return nics.values().stream()
                    .filter(nic -> nic.config().model().hasRxFilter())
                    .sorted(Comparator.comparingLong(NicState.Present::ordinal))
                    .map(nic -> nic.config().name())
                    .toList();
        }
        List<NetClientRef> named = clientsNamed(name.get());
        if (named.isEmpty()) {
            throw NetErrors.invalidNetClientName(name.get());
        }
        NetClientRef first = named.getFirst();
        if (first.kind() != NetClientRef.Kind.NIC) {
            throw NetErrors.notANic(name.get());
        }
        if (!nics.get(first.name()).config().model().hasRxFilter()) {
            throw NetErrors.noRxFilterQuery(name.get());
        }
        return List.of(first.name());
    }

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

    List<AnnounceTarget> announceTargets() {
        return nics.values().stream()
                .sorted(Comparator.comparingLong(NicState.Present::ordinal))
                .map(nic -> new AnnounceTarget(nic.config().name(), nic.config().mac()))
                .toList();
    }

    /** Peerings recorded by one side only: left by a crash between the two writes of a peering. */
    List<NetClientRef> oneSidedPeerings() {
        return Stream.concat(netdevs.keySet().stream().map(NetClientRef::netdev), nics.keySet().stream().map(NetClientRef::nic))
                .filter(client -> peerOf(client).map(peer -> !peerOf(peer).equals(Optional.of(client))).orElse(false))
                .sorted(Comparator.comparing(NetClientRef::kind).thenComparing(NetClientRef::name))
                .toList();
    }

    NetworkView view() {
        List<Integer> hubs = hubOrdinals.entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .toList();
        record Row(long ordinal, NetClientInfo info) {
        }
        List<NetClientInfo> clients = Stream.concat(
                        netdevs.values().stream().map(e -> new Row(e.state().ordinal(), netdevInfo(e))),
                        nics.values().stream().map(n -> new Row(n.ordinal(), nicInfo(n))))
                .sorted(Comparator.comparingLong(Row::ordinal))
                .map(Row::info)
                .toList();
        return new NetworkView(hubs, clients);
    }

    private static NetClientInfo netdevInfo(NetdevEntry entry) {
        NetdevState.Present state = entry.state();
        OptionalInt hub = state.config() instanceof NetdevConfig.Hubport hubport
                ? OptionalInt.of(hubport.hubid())
                : OptionalInt.empty();
        return new NetClientInfo(state.config().id(), state.config().type(), state.linkUp(),
                state.peer().map(NetClientRef::name), hub, "", entry.status());
    }

    private static NetClientInfo nicInfo(NicState.Present nic) {
        return new NetClientInfo(nic.config().name(), "nic", nic.linkUp(), nic.peer(), OptionalInt.empty(),
                nic.config().info(), NetClientInfo.OK);
    }
}
