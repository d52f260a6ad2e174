package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.PortCounters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.status.CountersManager;

/**
 * The switch's view of the network: ports by name, hubs with their ports, and the peerings the
 * control plane asked for. Owned by the switching agent, which applies {@link ControlOp}s to it and
 * compiles it into forwarding tables.
 */
final class SwitchModel {

    private final CountersManager countersManager;
    private final Map<String, Port> ports = new HashMap<>();
    /** Each hub's ports, newest first: QEMU inserts a hub's ports at the head of its list. */
    private final Map<Integer, List<Port>> hubs = new HashMap<>();
    /** Requested peerings, recorded under both names; effective while both ports exist. */
    private final Map<String, String> peers = new HashMap<>();
    private long nextRegistrationId = 1;

    SwitchModel(CountersManager countersManager) {
        this.countersManager = countersManager;
    }

    /** Applies {@code op}; returns whether forwarding may have changed. */
    boolean apply(ControlOp op) {
        return switch (op) {
            case ControlOp.OpenHubport o -> open(o.name(), o.tag(), new Port.Kind.Hubport(o.hubId()));
            case ControlOp.OpenEndpoint o -> open(o.name(), o.tag(), new Port.Kind.Endpoint(o.outbound()));
            case ControlOp.Close c -> close(c.name(), c.tag());
            case ControlOp.SetLink s -> setLink(s.name(), s.up());
            case ControlOp.Connect c -> connect(c.name(), c.peer());
            case ControlOp.Disconnect d -> unpeer(d.name());
            case ControlOp.SetRxFilter f -> setRxFilter(f);
        };
    }

    Collection<Port> ports() {
        return ports.values();
    }

    /** The port {@code port} sends to, or null when it has none open. */
    Port peerOf(Port port) {
        String peer = peers.get(port.name);
        return peer == null ? null : ports.get(peer);
    }

    List<Port> hub(int hubId) {
        return hubs.get(hubId);
    }

    /** Each open port's counters by name, for readers on other threads. */
    Map<String, PortCounters> countersByName() {
        Map<String, PortCounters> counters = HashMap.newHashMap(ports.size());
        ports.forEach((name, port) -> counters.put(name, port.counters));
        return Map.copyOf(counters);
    }

    /** Closes every port, freeing its counters. */
    void clear() {
        ports.values().forEach(port -> port.counters.close());
        ports.clear();
        hubs.clear();
        peers.clear();
    }

    private boolean open(String name, int tag, Port.Kind kind) {
        if (ports.containsKey(name)) {
            // The registry closes a name before it opens it again, so this is a bug, not a race.
            throw new IllegalStateException("port '" + name + "' is already open");
        }
        Port port = new Port(name, tag, kind,
                PortCounters.allocate(countersManager, name, PortTag.slot(tag), nextRegistrationId++));
        ports.put(name, port);
        if (kind instanceof Port.Kind.Hubport(int hubId)) {
            hubs.computeIfAbsent(hubId, id -> new ArrayList<>()).addFirst(port);
        }
        return true;
    }

    private boolean close(String name, int tag) {
        Port port = ports.get(name);
        if (port == null || port.tag != tag) {
            return false;
        }
        ports.remove(name);
        // As when QEMU deletes a net client: its peer stays, peerless.
        unpeer(name);
        if (port.kind instanceof Port.Kind.Hubport(int hubId)) {
            List<Port> hub = hubs.get(hubId);
            hub.remove(port);
            if (hub.isEmpty()) {
                hubs.remove(hubId);
            }
        }
        port.counters.close();
        return true;
    }

    private boolean setLink(String name, boolean up) {
        Port port = ports.get(name);
        if (port == null || port.linkUp == up) {
            return false;
        }
        port.linkUp = up;
        return true;
    }

    private boolean connect(String name, String peer) {
        if (peer.equals(peers.get(name))) {
            return false;
        }
        unpeer(name);
        unpeer(peer);
        peers.put(name, peer);
        peers.put(peer, name);
        return true;
    }

    private boolean unpeer(String name) {
        String peer = peers.remove(name);
        if (peer == null) {
            return false;
        }
        peers.remove(peer);
        return true;
    }

    private boolean setRxFilter(ControlOp.SetRxFilter op) {
        Port port = ports.get(op.name());
        if (port == null || !(port.kind instanceof Port.Kind.Endpoint)) {
            return false;
        }
        port.filter = op.filter();
        return true;
    }
}
