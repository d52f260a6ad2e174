package io.vnetd.actors.directory;

import io.vnetd.actors.api.NetClientInfo;
import io.vnetd.actors.api.NetException;
import io.vnetd.actors.api.NetworkView;
import io.vnetd.actors.netdev.NetdevCommand.Done;
import io.vnetd.actors.netdev.NetdevConfig;
import io.vnetd.actors.netdev.NetdevRules;
import io.vnetd.actors.netdev.NetdevState;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The index of every net client: names, peers, hubs and creation order. It is derived from the
 * entities (which alone are journaled) and rebuilt from them at start, so it is never a second
 * source of truth; it checks the rules that span several entities before any of them is asked.
 * Single-threaded by construction: only {@link NetDirectory} touches it.
 */
final class Directory {

    /** A netdev as last confirmed by its entity. */
    record Entry(NetdevState.Present state, String status) {
        String name() {
            return state.config().id();
        }
    }

    /** What an accepted {@code netdev_add} will do: create {@code config}, attaching {@code peer} first. */
    record AddPlan(NetdevConfig config, Optional<String> peer, long ordinal, long hubOrdinal) {
    }

    private final Map<String, Entry> netdevs = new HashMap<>();
    private final Map<Integer, Long> hubOrdinals = new HashMap<>();
    private long nextOrdinal = 1;

    /** Takes an entity's confirmed state; an absent one leaves the index. */
    void update(Done done) {
        if (done.state() instanceof NetdevState.Present present) {
            netdevs.put(done.name(), new Entry(present, done.status()));
            nextOrdinal = Math.max(nextOrdinal, Math.max(present.ordinal(), present.hubOrdinal()) + 1);
            if (present.config() instanceof NetdevConfig.Hubport hubport) {
                hubOrdinals.merge(hubport.hubid(), present.hubOrdinal(), Math::min);
            }
        } else {
            netdevs.remove(done.name());
        }
    }

    Optional<Entry> netdev(String name) {
        return Optional.ofNullable(netdevs.get(name));
    }

    /** QEMU's checks for {@code netdev_add}, in its order; nothing changes until the plan is carried out. */
    AddPlan planAdd(NetdevConfig config) {
        NetdevRules.checkAdd(config.id(), config.type());
        if (netdevs.containsKey(config.id())) {
            throw NetException.generic("Duplicate ID '" + config.id() + "'");
        }
        Optional<String> peer = config.configuredPeer();
        if (peer.isPresent()) {
            Entry target = netdevs.get(peer.get());
            if (target == null) {
                throw NetException.generic("netdev '" + peer.get() + "' not found");
            }
            if (target.state().peer().isPresent()) {
                throw NetException.generic("netdev '" + peer.get() + "' is already in use");
            }
        }
        long hubOrdinal = 0;
        if (config instanceof NetdevConfig.Hubport hubport) {
            Long existing = hubOrdinals.get(hubport.hubid());
            hubOrdinal = existing != null ? existing : nextOrdinal++;
        }
        return new AddPlan(config, peer, nextOrdinal++, hubOrdinal);
    }

    /** Peerings recorded by one side only: left by a crash between the two writes of a peering. */
    List<String> oneSidedPeerings() {
        return netdevs.values().stream()
                .filter(e -> e.state().peer().map(p -> !isPeerOf(p, e.name())).orElse(false))
                .map(Entry::name)
                .sorted()
                .toList();
    }

    private boolean isPeerOf(String name, String peer) {
        Entry entry = netdevs.get(name);
        return entry != null && entry.state().peer().equals(Optional.of(peer));
    }

    NetworkView view() {
        List<Integer> hubs = hubOrdinals.entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .toList();
        List<NetClientInfo> clients = netdevs.values().stream()
                .sorted(Comparator.comparingLong(e -> e.state().ordinal()))
                .map(Directory::info)
                .toList();
        return new NetworkView(hubs, clients);
    }

    private static NetClientInfo info(Entry entry) {
        NetdevState.Present state = entry.state();
        OptionalInt hub = state.config() instanceof NetdevConfig.Hubport hubport
                ? OptionalInt.of(hubport.hubid())
                : OptionalInt.empty();
        return new NetClientInfo(entry.name(), state.config().type(), state.linkUp(), state.peer(), hub,
                "", entry.status());
    }
}
