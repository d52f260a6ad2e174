package io.vnetd.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.interop.Ports;
import io.vnetd.it.support.PostgresServer;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdCommand;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three vnetd nodes on one PostgreSQL journal, driven as users drive them: each through its own QMP
 * socket. Any node answers for the whole network, a netdev lives on the node that received it or the
 * one it names, events reach every node's sessions once, and a bad cluster start is one line and exit 1.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final List<String> NAMES = List.of("n1", "n2", "n3");

    @TempDir
    static Path dir;

    private static String journal;
    private static int streamPort;
    /** The node started last: the youngest member, so never the one that holds the directory. */
    private static int youngest;
    private static final int[] PORTS = new int[NAMES.size()];
    private static final List<VnetdProcess> NODES = new ArrayList<>();

    @BeforeAll
    static void formTheCluster() throws Exception {
        journal = PostgresServer.shared().journalSpec(PostgresServer.shared().createDatabase("cluster"));
        VnetdCommand init = VnetdCommand.run("journal", "init-postgres", "--journal", journal);
        assertEquals(0, init.status(), init.err());
        for (int i = 0; i < NAMES.size(); i++) {
            PORTS[i] = Ports.tcp();
        }
        for (int i = 0; i < NAMES.size(); i++) {
            NODES.add(VnetdProcess.start(dir.resolve(NAMES.get(i)), "--config", nodeConfig(NAMES.get(i), PORTS[i]).toString()));
        }
    }

    @AfterAll
    static void stopTheCluster() throws Exception {
        for (VnetdProcess node : NODES.reversed()) {
            node.close();
        }
        // The nodes' logs outlive the temporary directory, for whoever reads a failure.
        Path logs = Path.of("target", "cluster-logs");
        Files.createDirectories(logs);
        for (String name : NAMES) {
            Path log = dir.resolve(name).resolve("vnetd.log");
            if (Files.exists(log)) {
                Files.copy(log, logs.resolve(name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String seeds() {
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            seeds.add("\"" + NAMES.get(i) + "@127.0.0.1:" + PORTS[i] + "\"");
        }
        return String.join(", ", seeds);
    }

    private static Path nodeConfig(String name, int port) throws IOException {
        return nodeConfig(name, port, journal);
    }

    private static Path nodeConfig(String name, int port, String journalSpec) throws IOException {
        return nodeConfig(name, port, journalSpec, seeds());
    }

    private static Path nodeConfig(String name, int port, String journalSpec, String seeds) throws IOException {
        Path file = dir.resolve(name + "-" + port + ".conf");
        Files.writeString(file, """
                vnetd.cluster {
                  node-name = %s
                  host = "127.0.0.1"
                  port = %d
                  seed-nodes = [%s]
                  journal = "%s"
                  stable-after = 5s
                }
                """.formatted(name, port, seeds, journalSpec));
        return file;
    }

    private static QmpClient qmp(int node) throws IOException {
        return QmpClient.connect(NODES.get(node).qmpSocket());
    }

    private static JsonNode clients(QmpClient qmp) throws IOException {
        return qmp.ok("__io.vnetd_query-net-clients", "{}");
    }

    /** name -> node of every net client, as one node lists them. */
    private static Map<String, String> placement(QmpClient qmp) throws IOException {
        return StreamSupport.stream(clients(qmp).spliterator(), false)
                .collect(Collectors.toMap(c -> c.get("name").textValue(), c -> c.get("node").textValue(),
                        (a, b) -> a, TreeMap::new));
    }

    @Test
    @Order(1)
    void everyNodeListsTheSameThreeMembersUp() throws Exception {
        for (int i = 0; i < NODES.size(); i++) {
            try (QmpClient qmp = qmp(i)) {
                JsonNode members = qmp.ok("__io.vnetd_query-cluster", "{}");
                assertEquals(3, members.size(), members.toString());
                for (int m = 0; m < NAMES.size(); m++) {
                    JsonNode member = members.get(m);
                    assertEquals(NAMES.get(m), member.get("name").textValue(), members.toString());
                    assertEquals("pekko://vnetd@127.0.0.1:" + PORTS[m], member.get("address").textValue());
                    assertEquals("up", member.get("status").textValue());
                    assertTrue(member.get("reachable").booleanValue());
                    assertTrue(member.get("roles").toString().contains("\"vnetd-node:" + NAMES.get(m) + "\""));
                }
            }
        }
    }

    @Test
    @Order(2)
    void anyNodeServesTheWholeNetworkAndNetdevsLiveWhereTheyArePut() throws Exception {
        streamPort = Ports.tcp();
        try (QmpClient one = qmp(0); QmpClient two = qmp(1); QmpClient three = qmp(2)) {
            two.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"hp-two\", \"hubid\": 1, \"__io.vnetd_node\": \"n2\"}");
            one.ok("netdev_add", "{\"type\": \"stream\", \"id\": \"st-three\", \"server\": true, \"__io.vnetd_node\": \"n3\","
                    + " \"addr\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + streamPort + "\"}}");
            three.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"hp-st\", \"hubid\": 2, \"netdev\": \"st-three\"}");
            one.ok("device_add", "{\"driver\": \"virtio-net-pci\", \"id\": \"nic-two\", \"netdev\": \"hp-two\"}");

            Map<String, String> expected = new TreeMap<>(Map.of("hp-two", "n2", "st-three", "n3", "hp-st", "n3",
                    "nic-two", "n2"));
            for (QmpClient qmp : List.of(one, two, three)) {
                assertEquals(expected, placement(qmp), "a hubport's default node is its peer's; a NIC's its netdev's");
                assertEquals(clients(one).toString().replaceAll("\"counters\":\\{[^}]*}", ""),
                        clients(qmp).toString().replaceAll("\"counters\":\\{[^}]*}", ""), "every node lists the same");
            }
            assertTrue(listener(streamPort) == NODES.get(2).pid(), "n3's process listens on the stream's port");

            three.ok("set_link", "{\"name\": \"hp-two\", \"up\": false}");
            for (QmpClient qmp : List.of(one, two, three)) {
                JsonNode link = StreamSupport.stream(clients(qmp).spliterator(), false)
                        .filter(c -> c.get("name").textValue().equals("hp-two")).findFirst().orElseThrow();
                assertEquals(false, link.get("link-up").booleanValue());
                assertTrue(link.has("counters"), "n2 describes its port to every node: " + link);
            }
            JsonNode members = two.ok("__io.vnetd_query-cluster", "{}");
            assertEquals(List.of(0, 2, 2), StreamSupport.stream(members.spliterator(), false)
                    .map(m -> m.get("net-clients").intValue()).toList());

            JsonNode sameId = one.execute("netdev_add", "{\"type\": \"hubport\", \"id\": \"hp-two\", \"hubid\": 0}");
            assertEquals("Duplicate ID 'hp-two'", sameId.get("error").get("desc").textValue(),
                    "an id is unique across the cluster, with QEMU's error");
        }
    }

    /** The pid of the process listening on 127.0.0.1:{@code port}, from {@code ss}. */
    private static long listener(int port) throws Exception {
        Process ss = new ProcessBuilder("ss", "-Hltnp", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes());
        assertTrue(ss.waitFor(10, TimeUnit.SECONDS));
        int at = out.indexOf("pid=");
        assertTrue(at >= 0, "something listens on " + port + ": " + out);
        return Long.parseLong(out.substring(at + 4).split(",")[0]);
    }

    @Test
    @Order(3)
    void placementMistakesAreRefusedAndChangeNothing() throws Exception {
        try (QmpClient qmp = qmp(1)) {
            Map<String, String> before = placement(qmp);
            JsonNode unknown = qmp.execute("netdev_add",
                    "{\"type\": \"hubport\", \"id\": \"hp-nowhere\", \"hubid\": 0, \"__io.vnetd_node\": \"n9\"}");
            assertEquals("GenericError", unknown.get("error").get("class").textValue());
            assertEquals("vnetd node 'n9' is not a member of the cluster", unknown.get("error").get("desc").textValue());

            qmp.ok("netdev_add", "{\"type\": \"dgram\", \"id\": \"dg-three\", \"__io.vnetd_node\": \"n3\","
                    + " \"local\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + Ports.udp() + "\"},"
                    + " \"remote\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + Ports.udp() + "\"}}");
            JsonNode split = qmp.execute("netdev_add",
                    "{\"type\": \"hubport\", \"id\": \"hp-split\", \"hubid\": 0, \"netdev\": \"dg-three\", \"__io.vnetd_node\": \"n1\"}");
            assertEquals("netdev 'dg-three' is on vnetd node 'n3': a netdev and its peer share a node",
                    split.get("error").get("desc").textValue());
            qmp.ok("netdev_del", "{\"id\": \"dg-three\"}");
            assertEquals(before, placement(qmp));
        }
    }

    @Test
    @Order(4)
    void eventsReachEverySessionOnEveryNodeOnce() throws Exception {
        try (QmpClient one = qmp(0); QmpClient two = qmp(1); QmpClient three = qmp(2)) {
            one.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"hp-ev\", \"hubid\": 5, \"__io.vnetd_node\": \"n1\"}");
            one.ok("device_add", "{\"driver\": \"e1000\", \"id\": \"nic-ev\", \"netdev\": \"hp-ev\"}");
            two.ok("device_del", "{\"id\": \"nic-ev\"}");
            for (QmpClient qmp : List.of(one, two, three)) {
                assertEquals(1, deviceDeleted(qmp, "nic-ev"), "DEVICE_DELETED once on each node's session");
            }
        }
    }

    /** How many DEVICE_DELETED of {@code device} the session got, waiting up to 10 s for the first and 1 s more. */
    private static long deviceDeleted(QmpClient qmp, String device) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long seen = 0;
        while (seen == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            qmp.ok("query-version", "{}");
            seen = qmp.events().stream().filter(e -> e.get("event").textValue().equals("DEVICE_DELETED")
                    && e.get("data").path("device").asText().equals(device)).count();
        }
        Thread.sleep(1000);
        qmp.ok("query-version", "{}");
        return qmp.events().stream().filter(e -> e.get("event").textValue().equals("DEVICE_DELETED")
                && e.get("data").path("device").asText().equals(device)).count();
    }

    @Test
    @Order(5)
    void aSecondNodeOfTheSameNameIsRefused() throws Exception {
        // Its seed list names only n1, so that nothing but the membership can tell it that n2 exists.
        VnetdCommand twin = VnetdCommand.run("--data-dir", dir.resolve("twin").toString(),
                "--config", nodeConfig("n2", Ports.tcp(), journal, "\"n1@127.0.0.1:" + PORTS[0] + "\"").toString());
        assertEquals(1, twin.status(), twin.out());
        assertEquals("vnetd: vnetd node name 'n2' is in use by the member at pekko://vnetd@127.0.0.1:" + PORTS[1],
                twin.err().strip());
        try (QmpClient qmp = qmp(0)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int members = qmp.ok("__io.vnetd_query-cluster", "{}").size();
            while (members != 3 && System.nanoTime() < deadline) {
                Thread.sleep(500);
                members = qmp.ok("__io.vnetd_query-cluster", "{}").size();
            }
            assertEquals(3, members, "the twin left again");
        }
    }

    @Test
    @Order(6)
    void aNodeWithoutItsJournalDoesNotStart() throws Exception {
        int closed = Ports.tcp();
        VnetdCommand unreachable = VnetdCommand.run("--data-dir", dir.resolve("unreachable").toString(),
                "--config", nodeConfig("n4", Ports.tcp(), "postgres://vnetd@127.0.0.1:" + closed + "/vnetd").toString());
        assertEquals(1, unreachable.status());
        assertTrue(unreachable.err().startsWith("vnetd: journal postgres://vnetd@127.0.0.1:" + closed
                + "/vnetd is unreachable: "), unreachable.err());
        assertEquals(1, unreachable.err().strip().lines().count(), unreachable.err());

        String bare = PostgresServer.shared().journalSpec(PostgresServer.shared().createDatabase("bare"));
        VnetdCommand noTables = VnetdCommand.run("--data-dir", dir.resolve("no-tables").toString(),
                "--config", nodeConfig("n4", Ports.tcp(), bare).toString());
        assertEquals(1, noTables.status());
        assertEquals("vnetd: journal " + bare + " has no vnetd tables: create them with 'vnetd journal init-postgres"
                + " --journal " + bare + "'", noTables.err().strip());

        Path lmdb = dir.resolve("single");
        Files.createDirectories(lmdb.resolve("journal"));
        Files.writeString(lmdb.resolve("journal").resolve("data.mdb"), "");
        VnetdCommand single = VnetdCommand.run("--data-dir", lmdb.toString(),
                "--config", nodeConfig("n4", Ports.tcp()).toString());
        assertEquals(1, single.status());
        assertEquals("vnetd: data directory '" + lmdb + "' holds a single node's LMDB journal; a cluster node keeps its"
                + " journal in PostgreSQL: copy it with 'vnetd journal copy --from " + lmdb + " --to "
                + journal + "', then move it away", single.err().strip());
    }

    private static JsonNode client(QmpClient qmp, String name) throws IOException {
        return StreamSupport.stream(clients(qmp).spliterator(), false)
                .filter(c -> c.get("name").textValue().equals(name)).findFirst().orElseThrow();
    }

    /** Polls {@code client}'s status as node {@code via} lists it until it is {@code status} (at most 60 s). */
    private static void awaitStatus(int via, String client, String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String seen = null;
        while (System.nanoTime() < deadline) {
            try (QmpClient qmp = qmp(via)) {
                seen = client(qmp, client).get("status").textValue();
            } catch (IOException e) {
                seen = e.toString();
            }
            if (status.equals(seen)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(client + " listed by " + NAMES.get(via) + " as '" + seen + "', not '" + status + "'");
    }

    private static VnetdProcess restart(int node) throws IOException {
        VnetdProcess started = VnetdProcess.start(dir.resolve(NAMES.get(node)),
                "--config", nodeConfig(NAMES.get(node), PORTS[node]).toString());
        NODES.set(node, started);
        youngest = node;
        return started;
    }

    /**
     * Adds hubports on n2 through n2's QMP socket until told to stop: the set of acknowledged ids, and
     * every answer that was not a success.
     */
    private static final class AddLoad implements Runnable {
        final List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        final String prefix;
        volatile boolean stop;

        AddLoad(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public void run() {
            try (QmpClient qmp = qmp(1)) {
                for (int i = 0; i < 2000 && !stop; i++) {
                    String id = prefix + i;
                    JsonNode answer = qmp.execute("netdev_add", "{\"type\": \"hubport\", \"id\": \"" + id + "\", \"hubid\": 9, \"__io.vnetd_node\": \"n2\"}");
                    if (answer.has("return")) {
                        acknowledged.add(id);
                    } else {
                        failures.add(id + ": " + answer);
                    }
                }
            } catch (IOException e) {
                failures.add(e.toString());
            }
        }

        /** The ids of this load that node {@code via} lists. */
        List<String> listed(int via) throws IOException {
            try (QmpClient qmp = qmp(via)) {
                return StreamSupport.stream(clients(qmp).spliterator(), false)
                        .map(c -> c.get("name").textValue()).filter(n -> n.startsWith(prefix)).sorted().toList();
            }
        }
    }

    @Test
    @Order(7)
    void aKilledNodeLosesNothingAcknowledgedAndTakesItsNetdevsBackWhenItReturns() throws Exception {
        AddLoad load = new AddLoad("kill-");
        Thread loader = Thread.ofPlatform().start(load);
        Thread.sleep(1000);
        NODES.get(2).kill();
        awaitStatus(0, "st-three", "vnetd node 'n3' is not reachable");
        try (QmpClient qmp = qmp(0)) {
            JsonNode refused = qmp.execute("set_link", "{\"name\": \"st-three\", \"up\": false}");
            assertEquals("'st-three' is on vnetd node 'n3', which is not reachable; try again when the node is back",
                    refused.get("error").get("desc").textValue());
            qmp.ok("set_link", "{\"name\": \"hp-two\", \"up\": false}");
        }
        Thread.sleep(1000);
        load.stop = true;
        loader.join(60_000);
        assertEquals(List.of(), load.failures, "n2 kept serving while n3 was gone");
        assertTrue(load.acknowledged.size() > 10, "the load ran: " + load.acknowledged.size());

        VnetdProcess n3 = restart(2);
        awaitStatus(0, "st-three", "ok");
        assertEquals(n3.pid(), listener(streamPort), "the returned n3 listens on the stream's port again");
        try (QmpClient qmp = qmp(0)) {
            qmp.ok("set_link", "{\"name\": \"st-three\", \"up\": false}");
            assertEquals(false, client(qmp, "st-three").get("link-up").booleanValue());
        }
        List<String> expected = load.acknowledged.stream().sorted().toList();
        for (int via = 0; via < NODES.size(); via++) {
            assertEquals(expected, load.listed(via), "every acknowledged netdev_add, and nothing else, on " + NAMES.get(via));
        }
    }

    @Test
    @Order(8)
    void aNodeFrozenPastTheResolversLimitStopsInsteadOfComingBackAsAZombie() throws Exception {
        VnetdProcess n2 = NODES.get(1);
        n2.signal("STOP");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int members = 3;
            while (members == 3 && System.nanoTime() < deadline) {
                Thread.sleep(500);
                try (QmpClient qmp = qmp(0)) {
                    members = qmp.ok("__io.vnetd_query-cluster", "{}").size();
                }
            }
            assertEquals(2, members, "the resolver downed and removed the frozen n2");
        } finally {
            n2.signal("CONT");
        }
        assertEquals(1, n2.awaitExit(java.time.Duration.ofSeconds(60)), "a downed node exits with status 1");
        assertTrue(n2.stderr().contains("vnetd: the cluster removed this node (unreachable for too long); stopping"),
                n2.stderr());

        restart(1);
        awaitStatus(0, "hp-two", "ok");
        try (QmpClient qmp = qmp(1)) {
            assertEquals(false, client(qmp, "hp-two").get("link-up").booleanValue(), "its acknowledged link state");
            qmp.ok("set_link", "{\"name\": \"hp-two\", \"up\": true}");
        }
    }

    @Test
    @Order(9)
    void theDirectoryMovesWhenItsNodeIsKilled() throws Exception {
        long killed = System.nanoTime();
        NODES.get(0).kill();
        long deadline = killed + TimeUnit.SECONDS.toNanos(90);
        JsonNode answer = null;
        try (QmpClient qmp = qmp(1)) {
            while (System.nanoTime() < deadline) {
                answer = qmp.execute("set_link", "{\"name\": \"hp-two\", \"up\": false}");
                if (answer.has("return")) {
                    break;
                }
                assertTrue(answer.get("error").get("desc").textValue()
                                .startsWith("vnetd node 'n1', which holds the network's directory, "),
                        "while the directory moves, commands are refused at once, saying why: " + answer);
                Thread.sleep(200);
            }
            assertTrue(answer.has("return"), "set_link on n2 after n1 was killed: " + answer);
            System.out.printf("failover: first set_link acknowledged %.1f s after kill -9 of the directory's node%n",
                    (System.nanoTime() - killed) / 1e9);
            assertEquals("vnetd node 'n1' is not reachable", client(qmp, "hp-ev").get("status").textValue());
        }
        restart(0);
        awaitStatus(1, "hp-ev", "ok");
    }

    @Test
    @Order(10)
    void announceSelfFromAnyNodeLeavesThroughEachNicsOwnNode() throws Exception {
        try (java.net.DatagramSocket peer = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             QmpClient one = qmp(0); QmpClient three = qmp(2)) {
            peer.setSoTimeout(10_000);
            one.ok("netdev_add", "{\"type\": \"dgram\", \"id\": \"dg-an\", \"__io.vnetd_node\": \"n2\","
                    + " \"local\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + Ports.udp() + "\"},"
                    + " \"remote\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + peer.getLocalPort() + "\"}}");
            one.ok("device_add", "{\"driver\": \"e1000\", \"id\": \"nic-an\", \"netdev\": \"dg-an\", \"mac\": \"52:54:00:aa:bb:cc\"}");
            three.ok("announce-self", "{\"initial\": 50, \"max\": 100, \"rounds\": 2, \"step\": 10,"
                    + " \"interfaces\": [\"nic-an\"], \"id\": \"an\"}");
            for (int round = 0; round < 2; round++) {
                java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[2048], 2048);
                peer.receive(packet);
                byte[] frame = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                assertEquals("52:54:00:aa:bb:cc", mac(frame, 6), "the NIC's MAC as the source");
                assertEquals(0x8035, ((frame[12] & 0xff) << 8) | (frame[13] & 0xff), "RARP");
            }
        }
    }

    private static String mac(byte[] frame, int offset) {
        List<String> bytes = new ArrayList<>();
        for (int i = offset; i < offset + 6; i++) {
            bytes.add(String.format("%02x", frame[i] & 0xff));
        }
        return String.join(":", bytes);
    }

    /** An Ethernet broadcast frame carrying {@code tag}, so that each frame sent is told apart. */
    private static byte[] frame(String tag) {
        byte[] frame = new byte[64];
        java.util.Arrays.fill(frame, 0, 6, (byte) 0xff);
        byte[] source = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};
        System.arraycopy(source, 0, frame, 6, 6);
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        byte[] text = tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, frame, 14, text.length);
        return frame;
    }

    private static String tagOf(byte[] frame, int length) {
        int end = 14;
        while (end < length && frame[end] != 0) {
            end++;
        }
        return new String(frame, 14, end - 14, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Sends tagged frames from {@code from} to {@code into} until {@code to} receives one (at most 15 s); returns its tag. */
    private static String firstThrough(java.net.DatagramSocket from, int into, java.net.DatagramSocket to, String prefix)
            throws Exception {
        to.setSoTimeout(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int i = 0; System.nanoTime() < deadline; i++) {
            byte[] frame = frame(prefix + i);
            from.send(new java.net.DatagramPacket(frame, frame.length, java.net.InetAddress.getLoopbackAddress(), into));
            java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[2048], 2048);
            try {
                to.receive(packet);
                return tagOf(packet.getData(), packet.getLength());
            } catch (java.net.SocketTimeoutException e) {
                // not through yet: the hub's span reaches the nodes' links a moment after the hubports exist
            }
        }
        throw new AssertionError("no frame crossed from " + from.getLocalPort() + " to " + to.getLocalPort());
    }

    /** Every frame {@code socket} receives within {@code millis}, by tag. */
    private static List<String> drain(java.net.DatagramSocket socket, int millis) throws IOException {
        List<String> tags = new ArrayList<>();
        socket.setSoTimeout(millis);
        while (true) {
            java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[2048], 2048);
            try {
                socket.receive(packet);
                tags.add(tagOf(packet.getData(), packet.getLength()));
            } catch (java.net.SocketTimeoutException e) {
                return tags;
            }
        }
    }

    @Test
    @Order(11)
    void aHubAcrossTwoNodesCarriesFramesBothWaysOnceAndRespectsLinks() throws Exception {
        int l1 = Ports.udp();
        int l2 = Ports.udp();
        try (java.net.DatagramSocket s1 = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             java.net.DatagramSocket s2 = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             QmpClient qmp = qmp(2)) {
            qmp.ok("netdev_add", "{\"type\": \"dgram\", \"id\": \"dg-x1\", \"__io.vnetd_node\": \"n1\","
                    + " \"local\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + l1 + "\"},"
                    + " \"remote\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + s1.getLocalPort() + "\"}}");
            qmp.ok("netdev_add", "{\"type\": \"dgram\", \"id\": \"dg-x2\", \"__io.vnetd_node\": \"n2\","
                    + " \"local\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + l2 + "\"},"
                    + " \"remote\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + s2.getLocalPort() + "\"}}");
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"hx1\", \"hubid\": 42, \"netdev\": \"dg-x1\"}");
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"hx2\", \"hubid\": 42, \"netdev\": \"dg-x2\"}");

            firstThrough(s1, l1, s2, "warm-");
            drain(s2, 500);
            drain(s1, 100);
            byte[] one = frame("one-to-two");
            s1.send(new java.net.DatagramPacket(one, one.length, java.net.InetAddress.getLoopbackAddress(), l1));
            assertEquals(List.of("one-to-two"), drain(s2, 1000), "n1's frame reaches n2's port once");
            assertEquals(List.of(), drain(s1, 200), "and never comes back to its origin");
            byte[] two = frame("two-to-one");
            s2.send(new java.net.DatagramPacket(two, two.length, java.net.InetAddress.getLoopbackAddress(), l2));
            assertEquals(List.of("two-to-one"), drain(s1, 1000), "n2's frame reaches n1's port once");
            assertEquals(List.of(), drain(s2, 200));

            qmp.ok("set_link", "{\"name\": \"hx2\", \"up\": false}");
            s1.send(new java.net.DatagramPacket(one, one.length, java.net.InetAddress.getLoopbackAddress(), l1));
            assertEquals(List.of(), drain(s2, 1000), "a hubport whose link is down on n2 receives nothing");
            qmp.ok("set_link", "{\"name\": \"hx2\", \"up\": true}");
            s1.send(new java.net.DatagramPacket(one, one.length, java.net.InetAddress.getLoopbackAddress(), l1));
            assertEquals(List.of("one-to-two"), drain(s2, 1000));

            try (QmpClient viaN1 = qmp(0)) {
                JsonNode n2 = StreamSupport.stream(viaN1.ok("__io.vnetd_query-cluster", "{}").spliterator(), false)
                        .filter(m -> m.get("name").textValue().equals("n2")).findFirst().orElseThrow();
                JsonNode link = n2.get("link");
                assertTrue(link.get("connected").booleanValue(), n2.toString());
                assertTrue(link.get("frames-sent").longValue() >= 3, "n1's link counts what it sent n2: " + link);
                assertTrue(link.get("frames-received").longValue() >= 1, "and what it received from n2: " + link);
            }
        }
    }

    @Test
    @Order(12)
    void aHubportAndItsNicMoveToASurvivorWithTheirStateWhenTheirNodeIsKilled() throws Exception {
        String home;
        try (QmpClient qmp = qmp(1)) {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"mv\", \"hubid\": 77}");
            qmp.ok("device_add", "{\"driver\": \"e1000\", \"id\": \"nic-mv\", \"netdev\": \"mv\"}");
            qmp.ok("set_link", "{\"name\": \"mv\", \"up\": false}");
            Map<String, String> placed = placement(qmp);
            home = placed.get("mv");
            assertTrue(NAMES.contains(home), "a hubport without a host resource goes where Cluster Sharding puts it: " + placed);
            assertEquals(home, placed.get("nic-mv"), "its NIC with it");
        }
        int victim = NAMES.indexOf(home);
        int survivor = (victim + 1) % NAMES.size();
        long killed = System.nanoTime();
        NODES.get(victim).kill();
        long deadline = killed + TimeUnit.SECONDS.toNanos(90);
        JsonNode answer = null;
        try (QmpClient qmp = qmp(survivor)) {
            while (System.nanoTime() < deadline) {
                answer = qmp.execute("set_link", "{\"name\": \"nic-mv\", \"up\": false}");
                if (answer.has("return")) {
                    break;
                }
                String desc = answer.get("error").get("desc").textValue();
                assertTrue(desc.startsWith("'nic-mv' is moving from vnetd node '" + home + "'")
                                || desc.startsWith("vnetd node '" + home + "', which holds the network's directory, "),
                        "while it moves, commands are refused at once, saying why: " + answer);
                Thread.sleep(200);
            }
            assertTrue(answer.has("return"), "set_link on the moved NIC: " + answer);
            System.out.printf("failover: a moved NIC served %.1f s after kill -9 of its node%n",
                    (System.nanoTime() - killed) / 1e9);
            Map<String, String> placed = placement(qmp);
            assertTrue(!placed.get("mv").equals(home) && NAMES.contains(placed.get("mv")), placed.toString());
            assertEquals(placed.get("mv"), placed.get("nic-mv"), "they moved together");
            assertEquals(false, client(qmp, "mv").get("link-up").booleanValue(), "with the hubport's acknowledged link state");
            assertEquals("ok", client(qmp, "mv").get("status").textValue());
        }
        restart(victim);
    }

    @Test
    @Order(13)
    void announceTimersOfAKilledNodeGoOnWithTheirRoundsOnASurvivor() throws Exception {
        int timers = 6;
        int rounds = 30;
        // The youngest node, so that its timers move by Cluster Sharding and the directory's watch, not by a
        // directory that starts over; the NIC lives on another node, so that its frames can still be sent.
        int victim = youngest;
        int nicNode = (victim + 1) % NAMES.size();
        try (java.net.DatagramSocket peer = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             QmpClient qmp = qmp(nicNode)) {
            qmp.ok("netdev_add", "{\"type\": \"dgram\", \"id\": \"dg-tm\", \"__io.vnetd_node\": \"" + NAMES.get(nicNode) + "\","
                    + " \"local\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + Ports.udp() + "\"},"
                    + " \"remote\": {\"type\": \"inet\", \"host\": \"127.0.0.1\", \"port\": \"" + peer.getLocalPort() + "\"}}");
            qmp.ok("device_add", "{\"driver\": \"e1000\", \"id\": \"nic-tm\", \"netdev\": \"dg-tm\", \"mac\": \"52:54:00:aa:bb:dd\"}");
            // Timers are spread over the nodes by Cluster Sharding (least shards first): some run on the victim.
            for (int t = 0; t < timers; t++) {
                qmp.ok("announce-self", "{\"initial\": 400, \"max\": 800, \"rounds\": " + rounds + ", \"step\": 100,"
                        + " \"interfaces\": [\"nic-tm\"], \"id\": \"tm-" + t + "\"}");
            }
            Thread.sleep(1500);
            NODES.get(victim).kill();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            long frames = 0;
            peer.setSoTimeout(1000);
            while (frames < (long) timers * rounds && System.nanoTime() < deadline) {
                java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[2048], 2048);
                try {
                    peer.receive(packet);
                    if (mac(packet.getData(), 6).equals("52:54:00:aa:bb:dd")) {
                        frames++;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // the rounds of the timers that were on the victim wait for the failover
                }
            }
            frames += drain(peer, 2000).size();
            assertTrue(frames >= (long) timers * rounds, "every round of every timer went out: " + frames);
            // A round sent just before the kill but not journaled yet goes out again: at most one per timer.
            assertTrue(frames <= (long) timers * rounds + timers, "and no timer started over: " + frames);
        }
        restart(victim);
    }
}
