package io.vnetd.qmp.hmp;

import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.service.NetworkView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The text of HMP {@code info network}, as QEMU's {@code hmp_info_network()} prints it: first the
 * hubs, newest first, each with its ports, newest first, and a port's peer; then every other net
 * client in creation order, except hub ports and clients whose peer is a hub port (shown with their
 * hub), a netdev peered with a NIC being shown under its NIC. A multi-queue netdev's queues beyond
 * the first have no peer: they stand alone where the netdev is.
 */
final class InfoNetwork {

    private static final String HUBPORT = "hubport";
    private static final String NIC = "nic";

    private InfoNetwork() {
    }

    /** @return the text with {@code \n} line ends (the monitor turns them into CR LF) */
    static String format(NetworkView view) {
        List<NetClientInfo> clients = view.clients();
        // Only a client that names a peer can be one: a network of hubports alone needs no index.
        Map<String, List<NetClientInfo>> peered = new HashMap<>();
        // A hub's ports in creation order, gathered in one pass: a walk of every client for each hub
        // was most of the time of a listing of 100,000 clients on 100 hubs.
        Map<Integer, List<NetClientInfo>> portsByHub = new HashMap<>();
        for (NetClientInfo c : clients) {
            if (c.peer().isPresent()) {
                peered.computeIfAbsent(c.name(), name -> new ArrayList<>(1)).add(c);
            }
            if (c.type().equals(HUBPORT) && c.hubId().isPresent()) {
                portsByHub.computeIfAbsent(c.hubId().getAsInt(), hub -> new ArrayList<>()).add(c);
            }
        }
        StringBuilder out = new StringBuilder();
        for (Integer hub : view.hubs().reversed()) {
            out.append("hub ").append(hub).append('\n');
            for (NetClientInfo port : portsByHub.getOrDefault(hub, List.of()).reversed()) {
                out.append(" \\ ").append(port.name());
                NetClientInfo peer = peer(port, peered);
                if (peer != null) {
                    out.append(": ");
                    queue(peer, queues(peer)[0], out);
                } else {
                    out.append('\n');
                }
            }
        }
        for (NetClientInfo c : clients) {
            if (c.type().equals(HUBPORT)) {
                continue;
            }
            NetClientInfo peer = peer(c, peered);
            boolean nic = c.type().equals(NIC);
            if (peer != null && peer.type().equals(HUBPORT)) {
                // Shown with its hub, but for the queues beyond the first, which have no peer.
                otherQueues(c, out);
                continue;
            }
            if (peer == null || nic) {
                client(c, out);
            } else {
                // The first queue is shown with its peer; the others have none and stand alone.
                otherQueues(c, out);
            }
            if (nic && peer != null) {
                out.append(" \\ ");
                queue(peer, queues(peer)[0], out);
            }
        }
        return out.toString();
    }

    /**
     * QEMU's {@code print_net_client()} for every queue of a client: a multi-queue backend (a tap
     * with {@code queues=N}) describes each queue on a line of its own, and QEMU, having a net client
     * per queue, prints each (with {@code index=0}: its queue index is only a NIC's). vnetd has no
     * filters to print.
     */
    private static void client(NetClientInfo c, StringBuilder out) {
        for (String info : queues(c)) {
            queue(c, info, out);
        }
    }

    private static void otherQueues(NetClientInfo c, StringBuilder out) {
        String[] queues = queues(c);
        for (int i = 1; i < queues.length; i++) {
            queue(c, queues[i], out);
        }
    }

    private static void queue(NetClientInfo c, String info, StringBuilder out) {
        out.append(c.name()).append(": index=0,type=").append(c.type()).append(',').append(info).append('\n');
    }

    private static String[] queues(NetClientInfo c) {
        return c.info().split("\n", -1);
    }

    /**
     * A netdev may share its name with a NIC (separate namespaces, as in QEMU); of the clients so
     * named, the peer is the one that names this client back.
     *
     * @param peered the clients that name a peer, by name
     */
    private static NetClientInfo peer(NetClientInfo c, Map<String, List<NetClientInfo>> peered) {
        return c.peer().map(name -> peered.getOrDefault(name, List.of()).stream()
                        .filter(candidate -> candidate.peer().equals(Optional.of(c.name())) && candidate != c)
                        .findFirst()
                        .orElse(null))
                .orElse(null);
    }
}
