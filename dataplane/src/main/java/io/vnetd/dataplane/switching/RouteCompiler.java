package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.Counter;
import io.vnetd.model.netclient.NetClientCounter;
import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.IntArrayList;

/**
 * Compiles the {@link Route} of an endpoint by walking the path QEMU's net core gives a frame it
 * sends ({@code qemu_send_packet}, {@code qemu_deliver_packet_iov}, {@code net_hub_receive}): the
 * sender drops it when its link is down or it has no peer; the peer drops it when its link is down;
 * a hubport receiving it has every other port of its hub send it on, each with the same checks (the
 * ports that lead to other hubs compiled, the others as one step the routes through the hub share,
 * {@link Hub}); an endpoint receiving it is a delivery. Link checks are compiled in, not decided, so
 * the route stays right while links change.
 *
 * <p>QEMU lets a frame circle a loop of peered hubs forever. Here a copy is dropped, and counted at
 * the hubport that received it, when it would cross a hub it has crossed already or more than
 * {@code maxHubHops} hubs, or once a source's walk has crossed {@link #MAX_HUB_CROSSINGS} hubs in all
 * (whatever the links' state), which keeps a dense mesh of hubs from making compilation explode.
 */
final class RouteCompiler {

    static final int MAX_HUB_CROSSINGS = 4096;

    private final SwitchModel model;
    private final int maxHubHops;
    private final PendingCounts pending;

    private final IntArrayList ops = new IntArrayList();
    private final List<Counter> frames = new ArrayList<>();
    private final List<Counter> bytes = new ArrayList<>();
    private final List<Port> portOf = new ArrayList<>();
    private final IntArrayList skipTo = new IntArrayList();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Hub> hubOf = new ArrayList<>();
    private final IntArrayList hubsCrossed = new IntArrayList();
    private int crossings;

    RouteCompiler(SwitchModel model, int maxHubHops, PendingCounts pending) {
        this.model = model;
        this.maxHubHops = maxHubHops;
        this.pending = pending;
    }

    Route compile(Port source) {
        ops.clear();
        frames.clear();
        bytes.clear();
        portOf.clear();
        skipTo.clear();
        deliveries.clear();
        hubOf.clear();
        crossings = 0;
        send(source);
        int length = ops.size();
        byte[] code = new byte[length];
        for (int i = 0; i < length; i++) {
            code[i] = (byte) ops.getInt(i);
        }
        return new Route(source.tag, code,
                frames.toArray(Counter[]::new),
                bytes.toArray(Counter[]::new),
                portOf.toArray(Port[]::new),
                skipTo.toIntArray(),
                deliveries.toArray(Delivery[]::new),
                hubOf.toArray(Hub[]::new),
                pending);
    }

    private void send(Port sender) {
        count(sender, NetClientCounter.TX_FRAMES, NetClientCounter.TX_BYTES);
        int check = linkCheck(sender);
        Port peer = sender.peer;
        if (peer == null) {
            emit(Route.DROP, sender.counters.get(NetClientCounter.DROPPED_PEER_ABSENT), null, null, null, null);
        } else {
            receive(peer);
        }
        skipTo.setInt(check, ops.size());
    }

    private void receive(Port receiver) {
        int check = linkCheck(receiver);
        switch (receiver.kind) {
            case Port.Kind.Endpoint _ -> emit(Route.DELIVER, null, null, null, receiver.delivery, null);
            case Port.Kind.Hubport(int hubId) -> {
                if (hubsCrossed.containsInt(hubId) || hubsCrossed.size() == maxHubHops
                        || crossings == MAX_HUB_CROSSINGS) {
                    emit(Route.DROP, receiver.counters.get(NetClientCounter.DROPPED_LOOP), null, null, null, null);
                } else {
                    crossings++;
                    count(receiver, NetClientCounter.RX_FRAMES, NetClientCounter.RX_BYTES);
                    hubsCrossed.addInt(hubId);
                    Hub hub = model.hub(hubId);
                    for (Port other : hub.toHubs) {
                        if (other != receiver) {
                            send(other);
                        }
                    }
                    emit(Route.EXITS, null, null, receiver, null, hub);
                    hubsCrossed.popInt();
                }
            }
        }
        skipTo.setInt(check, ops.size());
    }

    /** Emits the link check of {@code port}; returns its step, whose jump the caller sets. */
    private int linkCheck(Port port) {
        int step = ops.size();
        emit(Route.LINK, port.counters.get(NetClientCounter.DROPPED_LINK_DOWN), null, port, null, null);
        return step;
    }

    private void count(Port port, NetClientCounter frameCounter, NetClientCounter byteCounter) {
        emit(Route.COUNT, port.counters.get(frameCounter), port.counters.get(byteCounter), null, null, null);
    }

    private void emit(byte op, Counter frameCounter, Counter byteCounter, Port port, Delivery delivery, Hub hub) {
        ops.addInt(op);
        frames.add(frameCounter);
        bytes.add(byteCounter);
        portOf.add(port);
        skipTo.addInt(0);
        deliveries.add(delivery);
        hubOf.add(hub);
    }
}
