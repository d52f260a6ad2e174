package io.vnetd.actors.directory;

import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicState;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.NicConfig;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The index of every net client: names, peers, hubs, MACs and creation order. It is derived from the
 * entities (which alone are journaled) and rebuilt from them at start, so it is never a second
 * source of truth. Single-threaded by construction: only the directory's actor touches it.
 */
final class NetIndex {

    /** A netdev as its entity last confirmed it; {@code status} says whether its resource is held. */
    record NetdevEntry(NetdevState.Present state, String status) {
    }

    private static final String ANONYMOUS_DEVICE = "/machine/peripheral-anon/device[";

    private final Map<String, NetdevEntry> netdevs = new HashMap<>();
    private final Map<String, NicState.Present> nics = new HashMap<>();
    /** NIC names by QOM path, so that {@code device_del} finds a NIC without a walk over all. */
    private final Map<String, String> nicsByQomPath = new HashMap<>();
    /** The netdevs whose journaled link change has not reached a client yet, by that client (normally empty). */
    private final Map<NetClientRef, Set<String>> linkChangesPending = new HashMap<>();
    /** The creation order of each hub: that of its first port (a hub has no journal of its own). */
    private final Map<Integer, Long> hubOrdinals = new HashMap<>();
    private long nextOrdinal = 1;
    private int nextAnonymousDevice;

    /** Takes an entity's confirmed state; an absent one leaves the index. */
    void update(Confirmed confirmed) {
        switch (confirmed) {
            case Confirmed.OfNetdev(var done) -> {
                NetdevEntry replaced = done.state() instanceof NetdevState.Present present
                        ? netdevs.put(done.name(), new NetdevEntry(present, done.status())) : netdevs.remove(done.name());
                if (replaced != null) {
                    replaced.state().linkPending().forEach(client -> linkChangesPending.computeIfPresent(client,
                            (c, pending) -> pending.remove(done.name()) && pending.isEmpty() ? null : pending));
                }
                if (done.state() instanceof NetdevState.Present present) {
                    present.linkPending().forEach(client ->
                            linkChangesPending.computeIfAbsent(client, c -> new TreeSet<>()).add(done.name()));
                    advanceOrdinal(Math.max(present.ordinal(), present.hubOrdinal()));
                    if (present.config() instanceof NetdevConfig.Hubport hubport) {
                        hubOrdinals.merge(hubport.hubid(), present.hubOrdinal(), Math::min);
                    }
                }
            }
            case Confirmed.OfNic(var done) -> {
                NicState.Present replaced = done.state() instanceof NicState.Present present
                        ? nics.put(done.name(), present) : nics.remove(done.name());
                if (replaced != null) {
                    nicsByQomPath.remove(replaced.config().qomPath());
                }
                if (done.state() instanceof NicState.Present present) {
                    nicsByQomPath.put(present.config().qomPath(), done.name());
                    advanceOrdinal(present.ordinal());
                    takeDevicePath(present.config());
                }
            }
        }
    }

    /** Takes the ordinals and the device path an accepted plan uses, so that the next plan does not. */
    void reserve(Plan plan) {
        if (plan instanceof Plan.CreateNetdev create) {
            advanceOrdinal(Math.max(create.ordinal(), create.hubOrdinal()));
        } else if (plan instanceof Plan.CreateNic create) {
            advanceOrdinal(create.ordinal());
            takeDevicePath(create.config());
        }
    }

    private void advanceOrdinal(long used) {
        nextOrdinal = Math.max(nextOrdinal, used + 1);
    }

    private void takeDevicePath(NicConfig config) {
        String path = config.qomPath();
        if (path.startsWith(ANONYMOUS_DEVICE)) {
            int taken = Integer.parseInt(path.substring(ANONYMOUS_DEVICE.length(), path.length() - 1));
            nextAnonymousDevice = Math.max(nextAnonymousDevice, taken + 1);
        }
    }

    /** The creation order the next net client gets. */
    long nextOrdinal() {
        return nextOrdinal;
    }

    /** The QOM path of the next device without an id. */
    String nextAnonymousDevicePath() {
        return ANONYMOUS_DEVICE + nextAnonymousDevice + "]";
    }

    Optional<Long> hubOrdinal(int hubid) {
        return Optional.ofNullable(hubOrdinals.get(hubid));
    }

    /** Hub ids with their creation order. */
    Map<Integer, Long> hubs() {
        return Collections.unmodifiableMap(hubOrdinals);
    }

    Optional<NetdevEntry> netdev(String name) {
        return Optional.ofNullable(netdevs.get(name));
    }

    /** The netdevs whose journaled link change names {@code client} and is not complete. */
    Set<String> linkChangesPendingFor(NetClientRef client) {
        return linkChangesPending.getOrDefault(client, Set.of());
    }

    Optional<NicState.Present> nic(String name) {
        return Optional.ofNullable(nics.get(name));
    }

    Collection<NetdevEntry> netdevs() {
        return Collections.unmodifiableCollection(netdevs.values());
    }

    Collection<NicState.Present> nics() {
        return Collections.unmodifiableCollection(nics.values());
    }

    /** The peer a client has now. */
    Optional<NetClientRef> peerOf(NetClientRef client) {
        return switch (client.kind()) {
            case NETDEV -> netdev(client.name()).flatMap(e -> e.state().peer());
            case NIC -> nic(client.name()).flatMap(NicState.Present::peer).map(NetClientRef::netdev);
        };
    }

    /**
     * A NIC by device id or QOM path, as {@code device_del} names it. The two never clash: an id holds
     * no '/', a path starts with one.
     */
    Optional<NicState.Present> findDevice(String idOrPath) {
        NicState.Present byName = nics.get(idOrPath);
        if (byName != null && byName.config().id().equals(Optional.of(idOrPath))) {
            return Optional.of(byName);
        }
        return Optional.ofNullable(nicsByQomPath.get(idOrPath)).map(nics::get);
    }

    /** Every client with that name (a netdev and a NIC may share one), in creation order. */
    List<NetClientRef> clientsNamed(String name) {
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
}
