package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.PortCounter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Compiles the model into a {@link ForwardingTable} by walking, for each endpoint, the path QEMU's net
 * core gives a frame it sends ({@code qemu_send_packet}, {@code qemu_deliver_packet_iov},
 * {@code net_hub_receive}): the sender drops it when its link is down or it has no peer; the peer
 * drops it when its link is down; a hubport receiving it has every other port of its hub send it on,
 * each with the same checks; an endpoint receiving it is a delivery.
 *
 * <p>QEMU lets a frame circle a loop of peered hubs forever. Here a copy is dropped, and counted at
 * the hubport that received it, when it would cross a hub it has crossed already or more than
 * {@code maxHubHops} hubs, or once a source's walk has crossed {@link #MAX_HUB_CROSSINGS} hubs in all,
 * which keeps a dense mesh of hubs from making compilation explode.
 */
final class RouteCompiler {

    static final int MAX_HUB_CROSSINGS = 4096;

    private final SwitchModel model;
    private final int maxPorts;
    private final int maxHubHops;

    private final List<AtomicCounter> perFrame = new ArrayList<>();
    private final List<AtomicCounter> perByte = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final IntArrayList hubsCrossed = new IntArrayList();
    private final Map<Port, Delivery> deliveryByPort = new IdentityHashMap<>();
    private int crossings;

    RouteCompiler(SwitchModel model, int maxPorts, int maxHubHops) {
        this.model = model;
        this.maxPorts = maxPorts;
        this.maxHubHops = maxHubHops;
    }

    ForwardingTable compile() {
        Route[] routes = new Route[maxPorts];
        deliveryByPort.clear();
        for (Port port : model.ports()) {
            if (port.kind instanceof Port.Kind.Endpoint) {
                routes[PortTag.slot(port.tag)] = compile(port);
            }
        }
        return new ForwardingTable(routes);
    }

    private Route compile(Port source) {
        perFrame.clear();
        perByte.clear();
        deliveries.clear();
        crossings = 0;
        send(source);
        return new Route(source.tag,
                perFrame.toArray(AtomicCounter[]::new),
                perByte.toArray(AtomicCounter[]::new),
                deliveries.toArray(Delivery[]::new));
    }

    private void send(Port sender) {
        count(sender, PortCounter.SENT_FRAMES, PortCounter.SENT_BYTES);
        if (!sender.linkUp) {
            perFrame.add(sender.counters.get(PortCounter.DROPPED_LINK_DOWN));
            return;
        }
        Port peer = model.peerOf(sender);
        if (peer == null) {
            perFrame.add(sender.counters.get(PortCounter.DROPPED_PEER_ABSENT));
            return;
        }
        receive(peer);
    }

    private void receive(Port receiver) {
        if (!receiver.linkUp) {
            perFrame.add(receiver.counters.get(PortCounter.DROPPED_LINK_DOWN));
            return;
        }
        switch (receiver.kind) {
            case Port.Kind.Endpoint endpoint -> deliveries.add(
                    deliveryByPort.computeIfAbsent(receiver, port -> new Delivery(port, endpoint.outbound())));
            case Port.Kind.Hubport(int hubId) -> {
                if (hubsCrossed.containsInt(hubId) || hubsCrossed.size() == maxHubHops
                        || crossings == MAX_HUB_CROSSINGS) {
                    perFrame.add(receiver.counters.get(PortCounter.DROPPED_LOOP));
                    return;
                }
                crossings++;
                count(receiver, PortCounter.RECEIVED_FRAMES, PortCounter.RECEIVED_BYTES);
                hubsCrossed.addInt(hubId);
                for (Port other : model.hub(hubId)) {
                    if (other != receiver) {
                        send(other);
                    }
                }
                hubsCrossed.popInt();
            }
        }
    }

    private void count(Port port, PortCounter frames, PortCounter bytes) {
        perFrame.add(port.counters.get(frames));
        perByte.add(port.counters.get(bytes));
    }
}
