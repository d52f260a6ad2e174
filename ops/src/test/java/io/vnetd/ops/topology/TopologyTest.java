package io.vnetd.ops.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The picture drawn from a listing as {@code __io.vnetd_query-net-clients} returns it. */
class TopologyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Topology topology(String listing) throws Exception {
        List<NetClient> clients = new ArrayList<>();
        for (JsonNode info : JSON.readTree(listing.replace('\'', '"'))) {
            clients.add(NetClient.of(info));
        }
        return Topology.of(clients);
    }

    private static String client(String name, String type, boolean up, String peer, Integer hub, String status, String node) {
        return "{'name': '" + name + "', 'type': '" + type + "', 'link-up': " + up
                + (peer == null ? "" : ", 'peer': '" + peer + "'") + (hub == null ? "" : ", 'hub': " + hub)
                + ", 'info': '', 'status': '" + status + "', 'node': '" + node + "'}";
    }

    private static final String SINGLE_NODE = "[" + String.join(", ",
            client("hp0", "hubport", true, "nic0", 0, "ok", "local"),
            client("nic0", "nic", true, "hp0", null, "ok", "local"),
            client("hp1", "hubport", false, "tap0", 0, "ok", "local"),
            client("tap0", "tap", true, "hp1", null, "tap0: no such device", "local"),
            client("hp2", "hubport", true, null, 0, "ok", "local"),
            client("hp9", "hubport", true, null, 9, "ok", "local"),
            client("s0", "socket", true, "nic1", null, "ok", "local"),
            client("nic1", "nic", false, "s0", null, "ok", "local"),
            client("u0", "stream", true, null, null, "ok", "local")) + "]";

    @Test
    void textShowsHubsWithPortsAndPeersThenPairsThenUnconnected() throws Exception {
        assertEquals("""
                hub 0
                |-- hp0 (hubport) -- nic0 (nic)
                |-- hp1 (hubport, link down) -- tap0 (tap, tap0: no such device)
                `-- hp2 (hubport)
                hub 9
                `-- hp9 (hubport)
                peers
                `-- s0 (socket) -- nic1 (nic, link down)
                unconnected
                `-- u0 (stream)
                """, TopologyText.render(topology(SINGLE_NODE)));
    }

    @Test
    void anEmptyNetworkSaysSo() throws Exception {
        assertEquals("no net clients\n", TopologyText.render(topology("[]")));
        assertEquals("graph vnetd {\n  graph [rankdir=LR];\n  node [shape=box];\n}\n", TopologyDot.render(topology("[]")));
    }

    @Test
    void dotHasAHubNodePerHubABoxPerClientAndAnEdgePerConnection() throws Exception {
        String dot = TopologyDot.render(topology(SINGLE_NODE));
        assertTrue(dot.startsWith("graph vnetd {\n"), dot);
        assertTrue(dot.endsWith("}\n"), dot);
        assertTrue(dot.contains("  \"hub:0\" [shape=ellipse, label=\"hub 0\"];\n"), dot);
        assertTrue(dot.contains("  \"hub:9\" [shape=ellipse, label=\"hub 9\"];\n"), dot);
        assertTrue(dot.contains("  \"client:hp0\" [label=\"hp0\\nhubport\"];\n"), dot);
        assertTrue(dot.contains("  \"client:hp1\" [label=\"hp1\\nhubport\\nlink down\", style=dashed, color=red];\n"), dot);
        assertTrue(dot.contains("  \"hub:0\" -- \"client:hp0\";\n"), dot);
        assertTrue(dot.contains("  \"client:hp0\" -- \"client:nic0\";\n"), dot);
        assertTrue(dot.contains("  \"hub:0\" -- \"client:hp1\" [style=dashed, color=red];\n"), dot);
        assertTrue(dot.contains("  \"client:s0\" -- \"client:nic1\" [style=dashed, color=red];\n"), dot);
        assertEquals(1, dot.lines().filter(line -> line.contains("-- \"client:nic1\"") || line.contains("-- \"client:s0\"")).count(),
                "each pair is one edge: " + dot);
        assertFalse(dot.contains("subgraph"), "one node draws no node boxes: " + dot);
        assertFalse(dot.contains("\"client:u0\" --"), "u0 is connected to nothing: " + dot);
    }

    @Test
    void aClusterShowsEachClientsNodeAndGroupsThemInDot() throws Exception {
        Topology cluster = topology("[" + String.join(", ",
                client("hp-a", "hubport", true, "nic-a", 0, "ok", "vnetd-a"),
                client("nic-a", "nic", true, "hp-a", null, "ok", "vnetd-a"),
                client("hp-b", "hubport", true, null, 0, "ok", "vnetd-b")) + "]");
        assertTrue(cluster.clustered());
        assertEquals("""
                nodes: vnetd-a, vnetd-b
                hub 0
                |-- hp-a (hubport, on vnetd-a) -- nic-a (nic, on vnetd-a)
                `-- hp-b (hubport, on vnetd-b)
                """, TopologyText.render(cluster));
        String dot = TopologyDot.render(cluster);
        assertTrue(dot.contains("  subgraph cluster_0 {\n    label=\"node vnetd-a\";\n"
                + "    \"client:hp-a\" [label=\"hp-a\\nhubport\"];\n"
                + "    \"client:nic-a\" [label=\"nic-a\\nnic\"];\n  }\n"), dot);
        assertTrue(dot.contains("  subgraph cluster_1 {\n    label=\"node vnetd-b\";\n"
                + "    \"client:hp-b\" [label=\"hp-b\\nhubport\"];\n  }\n"), dot);
        assertTrue(dot.indexOf("\"hub:0\" [shape=ellipse") < dot.indexOf("subgraph"), "hubs stand outside the nodes: " + dot);
    }

    @Test
    void aPeerMissingFromTheListingIsShownByName() throws Exception {
        Topology topology = topology("[" + client("nic0", "nic", true, "gone", null, "ok", "local") + "]");
        assertEquals("peers\n`-- nic0 (nic) -- gone (?, not listed)\n", TopologyText.render(topology));
    }

    @Test
    void dotQuotesNamesWithQuotesAndBackslashes() {
        assertEquals("\"a\\\"b\\\\c\\nd\"", TopologyDot.quote("a\"b\\c\nd"));
    }

    @Test
    void dotIsFoundOnThePathOnlyWhenExecutable() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dot-path");
        try {
            assertTrue(TopologyCommand.dotProgram(dir.toString()).isEmpty());
            java.nio.file.Path dot = java.nio.file.Files.createFile(dir.resolve("dot"));
            assertTrue(TopologyCommand.dotProgram(dir.toString()).isEmpty(), "not executable");
            assertTrue(dot.toFile().setExecutable(true));
            assertEquals(dot, TopologyCommand.dotProgram("/nonexistent:" + dir).orElseThrow());
            assertTrue(TopologyCommand.dotProgram(null).isEmpty());
            java.nio.file.Files.delete(dot);
        } finally {
            java.nio.file.Files.delete(dir);
        }
    }
}
