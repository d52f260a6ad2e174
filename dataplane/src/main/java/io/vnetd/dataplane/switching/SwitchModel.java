package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.CounterStore;
import io.vnetd.dataplane.counters.PortCounters;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The switch's view of the network: ports by name, hubs with their ports, and the peerings the
 * control plane asked for. Owned by the switching agent, which applies {@link ControlOp}s to it and
 * compiles the routes they make stale.
 *
 * <p>Only a change of topology (a port opened or closed, a peering made or undone) can change a
 * route, and only the routes of the endpoints that reach the ports it touches: those are marked
 * stale by a walk of the part of the network around them, before a change that removes a path and
 * after one that adds a path. Link and rx-filter changes are read by the routes as frames pass, and
 * so are a hub's ports peered with an endpoint or with nothing ({@link Hub}): a peerless hubport opening
 * or closing changes no route, and an endpoint joining or leaving a hub changes its own only.
 */
final class SwitchModel {

    private final CounterStore counters;
    private final PendingCounts pending;
    private final Map<String, Port> ports = new HashMap<>();
    private final Map<Integer, Hub> hubs = new HashMap<>();
    /** Requested peerings, recorded under both names; effective while both ports exist. */
    private final Map<String, String> peers = new HashMap<>();
    /** Each open port's counters, kept as ports open and close, for readers on other threads. */
    private final Map<String, PortCounters> countersByName = new ConcurrentHashMap<>();
    private final Map<String, PortCounters> countersView = Collections.unmodifiableMap(countersByName);
    private final List<Port> staleRoutes = new ArrayList<>();
    private final ArrayDeque<Hub> hubsToWalk = new ArrayDeque<>();
    private int walk;
    private long opened;

    SwitchModel(CounterStore counters, PendingCounts pending) {
        this.counters = counters;
        this.pending = pending;
    }

    /** Applies {@code op}. */
    void apply(ControlOp op) {
        switch (op) {
            case ControlOp.OpenHubport o -> open(o.name(), o.tag(), new Port.Kind.Hubport(o.hubId()));
            case ControlOp.OpenEndpoint o -> open(o.name(), o.tag(), new Port.Kind.Endpoint(o.outbound()));
            case ControlOp.Close c -> close(c.name(), c.tag());
            case ControlOp.SetLink s -> setLink(s.name(), s.up());
            case ControlOp.Connect c -> connect(c.name(), c.peer());
            case ControlOp.Disconnect d -> disconnect(d.name());
            case ControlOp.SetRxFilter f -> setRxFilter(f);
        }
    }

    /** Hub {@code hubId}, which has ports. */
    Hub hub(int hubId) {
        return hubs.get(hubId);
    }

    /** Each open port's counters by name; a live view. Any thread. */
    Map<String, PortCounters> countersByName() {
        return countersView;
    }

    /**
     * Hands every endpoint whose route went stale since the last call to {@code compile} (open) or
     * {@code remove} (closed since), and returns how many there were.
     */
    int refreshRoutes(Consumer<Port> compile, Consumer<Port> remove) {
        int stale = staleRoutes.size();
        for (Port endpoint : staleRoutes) {
            endpoint.routeStale = false;
            if (ports.get(endpoint.name) == endpoint) {
                compile.accept(endpoint);
            } else {
                remove.accept(endpoint);
            }
        }
        staleRoutes.clear();
        return stale;
    }

    /** Closes every port, freeing its counters. */
    void clear() {
        countersByName.clear();
        ports.values().forEach(port -> port.counters.close());
        ports.clear();
        hubs.clear();
        peers.clear();
        staleRoutes.clear();
    }

    private void open(String name, int tag, Port.Kind kind) {
        if (ports.containsKey(name)) {
            // The registry closes a name before it opens it again, so this is a bug, not a race.
            throw new IllegalStateException("port '" + name + "' is already open");
        }
        Port port = new Port(name, tag, kind, opened++, PortCounters.allocate(counters), pending);
        ports.put(name, port);
        countersByName.put(name, port.counters);
        if (kind instanceof Port.Kind.Hubport(int hubId)) {
            Hub hub = hubs.computeIfAbsent(hubId, id -> new Hub(pending));
            hub.ports++;
            hub.place(port);
        }
        String peer = peers.get(name);
        if (peer != null && ports.containsKey(peer)) {
            link(port, ports.get(peer));
        }
        markRoutesThrough(port);
    }

    private void close(String name, int tag) {
        Port port = ports.get(name);
        if (port == null || port.tag != tag) {
            return;
        }
        markRoutesThrough(port);
        // As when QEMU deletes a net client: its peer stays, peerless.
        unpeer(name);
        ports.remove(name);
        countersByName.remove(name);
        if (port.kind instanceof Port.Kind.Hubport(int hubId)) {
            Hub hub = hubs.get(hubId);
            hub.displace(port);
            if (--hub.ports == 0) {
                hubs.remove(hubId);
            }
        }
        port.counters.close();
    }

    private void setLink(String name, boolean up) {
        Port port = ports.get(name);
        if (port == null) {
            return;
        }
        boolean wasUp = port.linkUp;
        port.linkUp = up;
        // The shared sets of a hub count the links down among their members, hubports and endpoints.
        if (port.kind instanceof Port.Kind.Hubport(int hubId)) {
            Hub hub = hubs.get(hubId);
            if (port.peer == null) {
                hub.peerless.linkChanged(wasUp, up);
            } else if (port.peer.kind instanceof Port.Kind.Endpoint) {
                hub.deliveries.linkChanged(wasUp, up);
            }
        } else if (port.peer != null && port.peer.kind instanceof Port.Kind.Hubport(int hubId)) {
            hubs.get(hubId).deliveries.linkChanged(wasUp, up);
        }
    }

    private void connect(String name, String peer) {
        if (peer.equals(peers.get(name))) {
            return;
        }
        disconnect(name);
        disconnect(peer);
        peers.put(name, peer);
        peers.put(peer, name);
        Port port = ports.get(name);
        Port other = ports.get(peer);
        if (port != null && other != null) {
            link(port, other);
            markRoutesThrough(port);
        }
    }

    private void disconnect(String name) {
        Port port = ports.get(name);
        if (port != null && port.peer != null) {
            markRoutesThrough(port);
        }
        unpeer(name);
    }

    private void unpeer(String name) {
        String peer = peers.remove(name);
        if (peer == null) {
            return;
        }
        peers.remove(peer);
        Port port = ports.get(name);
        if (port != null && port.peer != null) {
            repeer(port, port.peer, false);
        }
    }

    private void link(Port a, Port b) {
        repeer(a, b, true);
    }

    /** Peers {@code a} and {@code b}, or unpeers them, moving each hubport to its hub's set for its new peer. */
    private void repeer(Port a, Port b, boolean peered) {
        displace(a);
        displace(b);
        a.peer = peered ? b : null;
        b.peer = peered ? a : null;
        place(a);
        place(b);
    }

    /** A hubport goes in its hub's set for its peer; so each time its peer changes, it is displaced first. */
    private void place(Port port) {
        if (port.kind instanceof Port.Kind.Hubport(int hubId)) {
            hubs.get(hubId).place(port);
        }
    }

    private void displace(Port port) {
        if (port.kind instanceof Port.Kind.Hubport(int hubId)) {
            hubs.get(hubId).displace(port);
        }
    }

    private void setRxFilter(ControlOp.SetRxFilter op) {
        Port port = ports.get(op.name());
        if (port != null && port.kind instanceof Port.Kind.Endpoint) {
            port.filter = op.filter();
        }
    }

    /**
     * Marks stale the route of every endpoint whose compiled steps include {@code start}: a route compiles its
     * endpoint, that endpoint's peer and, from a hub on, the ports that lead to other hubs, but reads the hubs'
     * deliveries and peerless ports as frames pass. So an endpoint changes its own route and its endpoint peer's; a
     * hubport peered with an endpoint, that endpoint's; a peerless hubport, none; and a hubport between hubs the
     * routes of every endpoint on the hubs it connects, walked along such ports (it costs those hubs' ports between
     * hubs and their endpoints, not their other ports).
     */
    private void markRoutesThrough(Port start) {
        switch (start.kind) {
            case Port.Kind.Endpoint _ -> {
                markStale(start);
                if (start.peer != null && start.peer.kind instanceof Port.Kind.Endpoint) {
                    markStale(start.peer);
                }
            }
            case Port.Kind.Hubport(int hubId) -> {
                Port peer = start.peer;
                if (peer == null) {
                    return;
                }
                if (peer.kind instanceof Port.Kind.Hubport(int peerHubId)) {
                    walk++;
                    markRoutesOnHubs(hubs.get(hubId));
                    markRoutesOnHubs(hubs.get(peerHubId));
                } else {
                    markStale(peer);
                }
            }
        }
    }

    /** Marks stale the routes of the endpoints on {@code first} and on every hub joined to it through hubports. */
    private void markRoutesOnHubs(Hub first) {
        hubsToWalk.add(first);
        while (!hubsToWalk.isEmpty()) {
            Hub hub = hubsToWalk.poll();
            if (hub.walk == walk) {
                continue;
            }
            hub.walk = walk;
            HubDeliveries deliveries = hub.deliveries;
            for (int i = 0; i < deliveries.size(); i++) {
                markStale(deliveries.hubport(i).peer);
            }
            for (Port toHub : hub.toHubs) {
                if (toHub.peer.kind instanceof Port.Kind.Hubport(int next)) {
                    hubsToWalk.add(hubs.get(next));
                }
            }
        }
    }

    private void markStale(Port endpoint) {
        if (!endpoint.routeStale) {
            endpoint.routeStale = true;
            staleRoutes.add(endpoint);
        }
    }
}
