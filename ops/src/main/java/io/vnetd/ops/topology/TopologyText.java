package io.vnetd.ops.topology;

import java.util.List;
import java.util.Map;

/** The picture as text: a tree per hub, then the directly connected pairs, then the clients connected to nothing. */
public final class TopologyText {

    private TopologyText() {
    }

    public static String render(Topology topology) {
        StringBuilder text = new StringBuilder();
        if (topology.clients().isEmpty()) {
            return "no net clients\n";
        }
        if (topology.clustered()) {
            text.append("nodes: ").append(String.join(", ", topology.nodes())).append('\n');
        }
        for (Map.Entry<Integer, List<NetClient>> hub : topology.hubs().entrySet()) {
            text.append("hub ").append(hub.getKey()).append('\n');
            List<NetClient> ports = hub.getValue();
            for (int i = 0; i < ports.size(); i++) {
                NetClient port = ports.get(i);
                NetClient peer = topology.peerOf(port);
                text.append(i == ports.size() - 1 ? "`-- " : "|-- ").append(label(topology, port));
                if (peer != null) {
                    text.append(" -- ").append(label(topology, peer));
                }
                text.append('\n');
            }
        }
        section(text, "peers", topology.pairs().stream()
                .map(pair -> label(topology, pair.get(0)) + " -- " + label(topology, pair.get(1))).toList());
        section(text, "unconnected", topology.unconnected().stream().map(client -> label(topology, client)).toList());
        return text.toString();
    }

    private static void section(StringBuilder text, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        text.append(title).append('\n');
        for (int i = 0; i < lines.size(); i++) {
            text.append(i == lines.size() - 1 ? "`-- " : "|-- ").append(lines.get(i)).append('\n');
        }
    }

    /** {@code name (type, link down, on node-b)}: what is wrong with it, and its node in a cluster. */
    static String label(Topology topology, NetClient client) {
        StringBuilder label = new StringBuilder(client.name()).append(" (").append(client.type());
        if (!client.trouble().isEmpty()) {
            label.append(", ").append(client.trouble());
        }
        if (topology.clustered()) {
            label.append(", on ").append(client.node());
        }
        return label.append(')').toString();
    }
}
