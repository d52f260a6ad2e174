package io.vnetd.actors.directory;

import io.vnetd.actors.directory.DirectoryCommand.AddNetdev;
import io.vnetd.actors.directory.DirectoryCommand.AddNic;
import io.vnetd.actors.directory.DirectoryCommand.DelNetdev;
import io.vnetd.actors.directory.DirectoryCommand.DelNic;
import io.vnetd.actors.directory.DirectoryCommand.Guest;
import io.vnetd.actors.directory.DirectoryCommand.QueryRxFilter;
import io.vnetd.actors.directory.DirectoryCommand.Request;
import io.vnetd.actors.directory.DirectoryCommand.SetLink;
import io.vnetd.actors.cluster.PlacedId;
import io.vnetd.actors.nic.NicState;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.NetdevRules;
import io.vnetd.model.nic.GuestSide;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.NicModel;
import io.vnetd.model.nic.NicRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The rules that span entities, as pure functions: a request and the index give a {@link Plan} or
 * QEMU's error for the first rule broken, in QEMU's order of checks. Nothing changes until the
 * directory reserves an accepted plan's ordinals and carries it out.
 */
final class RequestPlanner {

    /** QEMU's automatic MACs: 52:54:00:12:34:XX, XX the first free from 0x56. */
    private static final long AUTO_MAC_BASE = 0x5254_0012_3400L;
    private static final int FIRST_AUTO_MAC = 0x56;

    private RequestPlanner() {
    }

    /** @throws NetException when a rule refuses the request */
    static Plan plan(Request request, NetIndex index, Placements placements) {
        return switch (request) {
            case AddNetdev add -> planNetdev(add.config(), add.declared(), index, placements, add.node(), add.receivedBy());
            case DelNetdev del -> new Plan.DeleteNetdev(del.id(), index.netdev(del.id())
                    .orElseThrow(() -> NetErrors.deviceNotFound(del.id())).state().peer());
            case SetLink link -> planLink(link, index);
            case AddNic add -> add.declared() && alreadyDeclared(add.request(), index)
                    ? new Plan.InPlace() : planNic(add.request(), index, add.request().netdev()
                    .map(netdev -> placements.of(NetClientRef.netdev(netdev)).node()).orElse(add.receivedBy()));
            case DelNic del -> {
                NicState.Present nic = index.findDevice(del.device())
                        .orElseThrow(() -> NetErrors.deviceNotFound(del.device()));
                yield new Plan.DeleteNic(nic.config().name(), nic.peer(),
                        unfinishedLinkChanges(List.of(NetClientRef.nic(nic.config().name())), index));
            }
            case QueryRxFilter query -> new Plan.QueryRxFilter(rxFilterTargets(query.name(), index));
            case DirectoryCommand.WakeNode wake -> new Plan.Wake(clientsOn(wake.node(), index, placements));
            case DirectoryCommand.WakeMoved wake -> new Plan.Wake(placements.movedFrom(wake.node()));
            case Guest guest -> {
                index.nic(guest.nic()).orElseThrow(() -> NetErrors.deviceNotFound(guest.nic()));
                yield new Plan.Guest(guest.nic(), guest.control());
            }
        };
    }

    /**
     * QEMU's checks for {@code netdev_add}, in its order: the rules that need no state, the id among
     * the netdevs, the type's own options, the peer; then vnetd's own, that peers share a node. A
     * {@code declared} netdev (from the command line) that exists as given is left in place; one that
     * exists otherwise is refused, naming it. The netdev goes to the node the request names, else to
     * its peer's node (a hubport and the netdev it is peered with pass frames to each other directly),
     * else to the node that received the request.
     */
    static Plan planNetdev(NetdevConfig config, boolean declared, NetIndex index, Placements placements,
                           Optional<String> namedNode, String receivedBy) {
        NetdevRules.checkAdd(config.id(), config.type());
        Optional<NetIndex.NetdevEntry> existing = index.netdev(config.id());
        if (existing.isPresent()) {
            if (!declared) {
                throw NetErrors.duplicateId(config.id());
            }
            if (!existing.get().state().config().equals(config)) {
                throw NetErrors.netdevDeclaredOtherwise(config.id());
            }
            return new Plan.InPlace();
        }
        config.validate();
        Optional<String> peer = config.configuredPeer();
        String node = namedNode.orElse(receivedBy);
        if (peer.isEmpty() && namedNode.isEmpty() && placements.clustered() && config instanceof NetdevConfig.Hubport) {
            // A hubport holds no host resource: it may move, and what peers with it moves along.
            node = PlacedId.anywhere(config.id());
        }
        if (peer.isPresent()) {
            NetIndex.NetdevEntry target = index.netdev(peer.get()).orElseThrow(() -> NetErrors.netdevNotFound(peer.get()));
            if (target.state().peer().isPresent()) {
                throw NetErrors.netdevInUse(peer.get());
            }
            String peerNode = placements.of(NetClientRef.netdev(peer.get())).node();
            if (namedNode.isPresent() && !peerNode.equals(node)) {
                throw NetErrors.peerOnOtherNode(peer.get(), peerNode);
            }
            node = peerNode;
        }
        long ordinal = index.nextOrdinal();
        long hubOrdinal = 0;
        if (config instanceof NetdevConfig.Hubport hubport) {
            Optional<Long> hub = index.hubOrdinal(hubport.hubid());
            hubOrdinal = hub.isPresent() ? hub.get() : ordinal++;
        }
        return new Plan.CreateNetdev(config, peer, ordinal, hubOrdinal, node);
    }

    /**
     * QEMU's checks for {@code device_add} of a NIC, in its order: the driver, the id, then the
     * properties ({@code netdev}, {@code mac}); then the defaults a realized NIC gets.
     *
     * @param node the node the NIC goes to
     */
    static Plan planNic(NicRequest request, NetIndex index, String node) {
        NicModel model = NicModel.ofDriver(request.driver())
                .orElseThrow(() -> NetErrors.notADeviceModel(request.driver()));
        request.id().ifPresent(NetdevRules::requireIdentifier);
        if (request.id().isPresent() && index.findDevice(request.id().get()).isPresent()) {
            // QEMU 7.2 finds the id taken among its QemuOpts, before the device exists.
            throw NetErrors.duplicateDeviceOption(request.id().get());
        }
        String qomPath = request.id().map(id -> "/machine/peripheral/" + id).orElseGet(index::nextAnonymousDevicePath);
        String owner = model.propertyOwner();
        if (request.netdev().isPresent()) {
            String netdev = request.netdev().get();
            NetIndex.NetdevEntry backend = index.netdev(netdev)
                    .orElseThrow(() -> NetErrors.netdevPropertyNotFound(owner, netdev));
            if (backend.state().peer().isPresent()) {
                throw NetErrors.netdevPropertyInUse(owner, netdev);
            }
        }
        MacAddress mac = request.mac().isPresent()
                ? MacAddress.parse(request.mac().get()).orElseThrow(() -> NetErrors.badMacProperty(owner, request.mac().get()))
                : automaticMac(index);
        if (!request.unknownProperties().isEmpty()) {
            throw NetErrors.propertyNotFound(model.driver(), request.unknownProperties().getFirst());
        }
        Optional<GuestSide> guest = GuestSide.fromProperties(model, request.guest(), request.guestNetns());
        String name = request.id().orElseGet(() -> generatedName(model, index));
        NicConfig config = new NicConfig(name, request.id(), model, request.netdev(), mac, qomPath,
                request.bus(), request.addr(), request.failover(), guest);
        return new Plan.CreateNic(config, index.nextOrdinal(), node);
    }

    /**
     * Whether a NIC given on the command line is already there: the NIC of that id, or (without id)
     * one of that model on that netdev.
     *
     * @throws NetException when the NIC of that id exists with another model, netdev or MAC
     */
    private static boolean alreadyDeclared(NicRequest request, NetIndex index) {
        Optional<NicState.Present> existing = request.id().isPresent()
                ? index.findDevice(request.id().get())
                : index.nics().stream().filter(nic -> nic.config().id().isEmpty()
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

    private static MacAddress automaticMac(NetIndex index) {
        for (int last = FIRST_AUTO_MAC; last < 0xFF; last++) {
            MacAddress candidate = new MacAddress(AUTO_MAC_BASE | last);
            if (index.nics().stream().noneMatch(nic -> nic.config().mac().equals(candidate))) {
                return candidate;
            }
        }
        throw NetErrors.noAutomaticMacLeft();
    }

    /**
     * QEMU names a NIC without id {@code model.N}, N counting the NICs of that model; where that
     * name is still taken (an earlier one was deleted), vnetd counts on, since names must be unique.
     */
    private static String generatedName(NicModel model, NetIndex index) {
        long sameModel = index.nics().stream().filter(nic -> nic.config().model() == model).count();
        for (long n = sameModel; ; n++) {
            String name = model.driver() + "." + n;
            if (index.nic(name).isEmpty()) {
                return name;
            }
        }
    }

    /** Every netdev and NIC that lives on {@code node} for good (not those that may move). */
    static List<NetClientRef> clientsOn(String node, NetIndex index, Placements placements) {
        List<NetClientRef> clients = new ArrayList<>();
        index.netdevs().forEach(entry -> clients.add(NetClientRef.netdev(entry.state().config().id())));
        index.nics().forEach(nic -> clients.add(NetClientRef.nic(nic.config().name())));
        clients.removeIf(client -> !placements.of(client).node().equals(node));
        return clients;
    }

    /**
     * The clients {@code set_link} changes: every client of that name and, when the first of them
     * has a NIC as its peer, that NIC too (a backend's link down silences its NIC).
     */
    static List<NetClientRef> linkTargets(String name, NetIndex index) {
        List<NetClientRef> named = index.clientsNamed(name);
        if (named.isEmpty()) {
            throw NetErrors.deviceNotFound(name);
        }
        List<NetClientRef> targets = new ArrayList<>(named);
        index.peerOf(named.getFirst())
                .filter(peer -> peer.kind() == NetClientRef.Kind.NIC && !targets.contains(peer))
                .ifPresent(targets::add);
        return targets;
    }

    private static Plan.SetLink planLink(SetLink link, NetIndex index) {
        List<NetClientRef> targets = linkTargets(link.name(), index);
        return new Plan.SetLink(
                targets.stream().filter(client -> client.kind() == NetClientRef.Kind.NETDEV)
                        .map(NetClientRef::name).findFirst(),
                targets.stream().filter(client -> client.kind() == NetClientRef.Kind.NIC)
                        .map(NetClientRef::name).toList(),
                link.up(), unfinishedLinkChanges(targets, index));
    }

    /**
     * The link changes left half done (journaled by a netdev, not yet by a client it names: a failed
     * write) that concern {@code clients}: those of the netdevs among them, and those naming one of them.
     */
    static List<Plan.LinkChange> unfinishedLinkChanges(List<NetClientRef> clients, NetIndex index) {
        return clients.stream()
                .flatMap(client -> client.kind() == NetClientRef.Kind.NETDEV ? Stream.of(client.name())
                        : index.linkChangesPendingFor(client).stream())
                .distinct()
                .sorted()
                .flatMap(netdev -> index.netdev(netdev).stream())
                .flatMap(entry -> Plan.LinkChange.of(entry.state()).stream())
                .toList();
    }

    /**
     * The NICs {@code query-rx-filter} reports, by QEMU's walk over all clients: with a name, the
     * first client of that name decides; without, every NIC that has a filter, in creation order.
     */
    static List<String> rxFilterTargets(Optional<String> name, NetIndex index) {
        if (name.isEmpty()) {
            return index.nics().stream()
                    .filter(nic -> nic.config().model().hasRxFilter())
                    .sorted(Comparator.comparingLong(NicState.Present::ordinal))
                    .map(nic -> nic.config().name())
                    .toList();
        }
        List<NetClientRef> named = index.clientsNamed(name.get());
        if (named.isEmpty()) {
            throw NetErrors.invalidNetClientName(name.get());
        }
        NetClientRef first = named.getFirst();
        if (first.kind() != NetClientRef.Kind.NIC) {
            throw NetErrors.notANic(name.get());
        }
        if (!index.nic(first.name()).orElseThrow().config().model().hasRxFilter()) {
            throw NetErrors.noRxFilterQuery(name.get());
        }
        return List.of(first.name());
    }
}
