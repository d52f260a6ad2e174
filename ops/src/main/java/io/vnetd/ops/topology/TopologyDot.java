package io.vnetd.ops.topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The picture in Graphviz's DOT language: an undirected graph with a round node per hub and a box per net client,
 * an edge from each hub to its ports and one between peers. A client whose link is down, or whose host resource is
 * unavailable, is drawn dashed and red with the reason in its label, and so are its edges. In a cluster the clients
 * of each vnetd node are grouped in a box of their own ({@code cluster_...} subgraphs); hubs stand outside them, as
 * one hub spans the nodes that hold its ports.
 */
public final class TopologyDot {

    private TopologyDot() {
    }

    public static String render(Topology topology) {
        StringBuilder dot = new StringBuilder("graph vnetd {\n");
        dot.append("  graph [rankdir=LR];\n");
        dot.append("  node [shape=box];\n");
        for (Integer hub : topology.hubs().keySet()) {
            dot.append("  ").append(hubId(hub)).append(" [shape=ellipse, label=").append(quote("hub " + hub))
                    .append("];\n");
        }
        if (topology.clustered()) {
            Map<String, List<NetClient>> byNode = new LinkedHashMap<>();
            topology.clients().values()
                    .forEach(client -> byNode.computeIfAbsent(client.node(), node -> new ArrayList<>()).add(client));
            int index = 0;
            for (Map.Entry<String, List<NetClient>> node : byNode.entrySet()) {
                dot.append("  subgraph cluster_").append(index++).append(" {\n");
                dot.append("    label=").append(quote("node " + node.getKey())).append(";\n");
                node.getValue().forEach(client -> client(dot, "    ", client));
                dot.append("  }\n");
            }
        } else {
            topology.clients().values().forEach(client -> client(dot, "  ", client));
        }
        for (Map.Entry<Integer, List<NetClient>> hub : topology.hubs().entrySet()) {
            for (NetClient port : hub.getValue()) {
                edge(dot, hubId(hub.getKey()), port, null);
                NetClient peer = topology.peerOf(port);
                if (peer != null && (!peer.isHubport() || port.name().compareTo(peer.name()) < 0)) {
                    peerEdge(dot, topology, port, peer);
                }
            }
        }
        for (List<NetClient> pair : topology.pairs()) {
            peerEdge(dot, topology, pair.get(0), pair.get(1));
        }
        return dot.append("}\n").toString();
    }

    private static void client(StringBuilder dot, String indent, NetClient client) {
        String label = client.name() + "\n" + client.type()
                + (client.trouble().isEmpty() ? "" : "\n" + client.trouble());
        dot.append(indent).append(clientId(client.name())).append(" [label=").append(quote(label));
        if (!client.trouble().isEmpty()) {
            dot.append(", style=dashed, color=red");
        }
        dot.append("];\n");
    }

    private static void peerEdge(StringBuilder dot, Topology topology, NetClient a, NetClient b) {
        if (!topology.clients().containsKey(b.name())) {
            client(dot, "  ", b);
        }
        edge(dot, clientId(a.name()), b, a);
    }

    /** An edge to {@code client}, dashed when it or {@code other} is in trouble. */
    private static void edge(StringBuilder dot, String from, NetClient client, NetClient other) {
        dot.append("  ").append(from).append(" -- ").append(clientId(client.name()));
        if (!client.trouble().isEmpty() || (other != null && !other.trouble().isEmpty())) {
            dot.append(" [style=dashed, color=red]");
        }
        dot.append(";\n");
    }

    private static String hubId(int hub) {
        return quote("hub:" + hub);
    }

    private static String clientId(String name) {
        return quote("client:" + name);
    }

    /** A DOT string: quotes and backslashes escaped, a line break as DOT's centred {@code \n}. */
    static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
