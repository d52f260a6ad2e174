package io.vnetd.it.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with the default settings holds more net clients than the data plane's old fixed table (4,096
 * ports) and gets them all back after {@code kill -9}; clients whose entities left memory, or have not
 * started since the restart, obey commands as any other. (docs/benchmarks-scale.md measures the large
 * sizes.)
 */
class LargeNetworkIT {

    private static final int HUBPORTS = 5_000;
    private static final int HUBS = 50;
    /** Requests in flight on one connection: QEMU's queue length. */
    private static final int PIPELINED = 8;
    private static final String NET_CLIENTS = "__io.vnetd_query-net-clients";

    @TempDir
    Path dir;

    @Test
    void fiveThousandHubportsAreServedAndComeBackAfterKillDashNine() throws Exception {
        Path dataDir = dir.resolve("data");
        // Entities leave memory after a second without messages, so that the test sees them come back; the
        // directory's snapshot is taken a second after a change, so that the restart starts from it.
        Path config = Files.writeString(dir.resolve("vnetd.conf"), """
                vnetd.actors.passivate-after = 1s
                vnetd.actors.directory-snapshot.interval = 1s
                """);
        try (VnetdProcess daemon = VnetdProcess.start(dataDir, "--config", config.toString());
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            List<String> adds = new ArrayList<>();
            for (int i = 0; i < HUBPORTS; i++) {
                adds.add("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"hubport\",\"id\":\"h" + i
                        + "\",\"hubid\":" + i % HUBS + "}}");
            }
            pipelined(qmp, adds);
            Thread.sleep(3_000);
            assertTrue(Files.exists(dataDir.resolve("journal").resolve("directory.snapshot")),
                    "the directory's snapshot is written");

            // Newer than the snapshot: the restart folds it on top.
            qmp.ok("set_link", "{\"name\":\"h7\",\"up\":false}");
            assertEquals(HUBPORTS, qmp.ok(NET_CLIENTS, null).size());
            daemon.kill();
        }
        try (VnetdProcess daemon = VnetdProcess.start(dataDir, "--config", config.toString());
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            JsonNode clients = qmp.ok(NET_CLIENTS, null);
            assertEquals(HUBPORTS, clients.size());
            for (JsonNode client : clients) {
                assertEquals(!client.get("name").asText().equals("h7"), client.get("link-up").asBoolean(),
                        client.toString());
                assertEquals("ok", client.get("status").asText(), client.toString());
            }
            // Entities that have not started since the restart take commands, and keep the rules.
            qmp.ok("set_link", "{\"name\":\"h7\",\"up\":true}");
            qmp.ok("netdev_del", "{\"id\":\"h4999\"}");
            assertEquals("Duplicate ID 'h4998'", qmp.execute("netdev_add",
                    "{\"type\":\"hubport\",\"id\":\"h4998\",\"hubid\":3}").at("/error/desc").asText());
            String hub48 = qmp.hmp("info network").lines().dropWhile(line -> !line.equals("hub 48"))
                    .skip(1).takeWhile(line -> line.startsWith(" \\ ")).reduce("", (a, b) -> a + b + "\n");
            assertEquals(HUBPORTS / HUBS, hub48.lines().count(), hub48);
            assertTrue(qmp.ok(NET_CLIENTS, null).findValues("name").stream().noneMatch(n -> n.asText().equals("h4999")));
        }
    }

    /** Sends every request, at most {@link #PIPELINED} unanswered at a time; each must succeed. */
    private static void pipelined(QmpClient qmp, List<String> requests) throws IOException {
        int answered = 0;
        for (int sent = 0; sent < requests.size(); sent++) {
            qmp.send(requests.get(sent) + "\n");
            if (sent - answered + 1 == PIPELINED) {
                answered += expectReturn(qmp);
            }
        }
        while (answered < requests.size()) {
            answered += expectReturn(qmp);
        }
    }

    private static int expectReturn(QmpClient qmp) throws IOException {
        JsonNode reply = qmp.read();
        while (reply.has("event")) {
            reply = qmp.read();
        }
        assertTrue(reply.has("return"), reply.toString());
        return 1;
    }
}
