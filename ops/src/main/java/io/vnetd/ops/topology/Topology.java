package io.vnetd.ops.topology;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The network a listing describes: hubs with their ports (in creation order), clients connected to each other
 * directly, and clients connected to nothing.
 *
 * @param hubs        each hub's ports, by hub id
 * @param pairs       peers neither of which is a hubport, each pair once, in the order of its first client
 * @param unconnected clients with no peer that are not hubports
 * @param nodes       the nodes the clients live on, in order of first appearance
 */
public record Topology(Map<String, NetClient> clients, SortedMap<Integer, List<NetClient>> hubs,
                       List<List<NetClient>> pairs, List<NetClient> unconnected, SequencedSet<String> nodes) {

    public static Topology of(List<NetClient> listing) {
        Map<String, NetClient> clients = new LinkedHashMap<>();
        listing.forEach(client -> clients.put(client.name(), client));
        SortedMap<Integer, List<NetClient>> hubs = new TreeMap<>();
        List<List<NetClient>> pairs = new ArrayList<>();
        List<NetClient> unconnected = new ArrayList<>();
        SequencedSet<String> nodes = new LinkedHashSet<>();
        Set<String> paired = new HashSet<>();
        for (NetClient client : listing) {
            nodes.add(client.node());
            NetClient peer = client.peer() == null ? null : clients.get(client.peer());
            if (client.isHubport()) {
                hubs.computeIfAbsent(client.hub(), hub -> new ArrayList<>()).add(client);
            } else if (client.peer() == null) {
                unconnected.add(client);
            } else if (peer == null) {
                // Its peer is not in the listing (a node that did not answer): shown by name alone.
                pairs.add(List.of(client, missing(client.peer())));
            } else if (!peer.isHubport() && !paired.contains(client.name())) {
                pairs.add(List.of(client, peer));
                paired.add(peer.name());
            }
        }
        return new Topology(clients, hubs, pairs, unconnected, nodes);
    }

    /** A peer the listing does not hold. */
    private static NetClient missing(String name) {
        return new NetClient(name, "?", true, null, null, "not listed", "?");
    }

    /** Whether the clients live on vnetd nodes of a cluster rather than on the single node ("local"). */
    public boolean clustered() {
        return !nodes.isEmpty() && !(nodes.size() == 1 && nodes.getFirst().equals("local"));
    }

    /** The client a hubport is connected to, or null. */
    public NetClient peerOf(NetClient client) {
        if (client.peer() == null) {
            return null;
        }
        NetClient peer = clients.get(client.peer());
        return peer != null ? peer : missing(client.peer());
    }
}
