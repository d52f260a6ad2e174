package io.vnetd.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal that is full refuses each change with its own error (not an ask time-out), keeps every
 * change it acknowledged, and takes changes again once it has room.
 */
class JournalFullIT {

    /** More netdevs than a 1 MiB journal holds (about 2,700 on this build): the loop ends on the refusal. */
    private static final int MOST_ATTEMPTS = 20_000;

    @TempDir
    Path dir;

    @Test
    void aFullJournalRefusesChangesWithItsErrorAndLosesNothing() throws Exception {
        Path dataDir = dir.resolve("data");
        Path small = Files.writeString(dir.resolve("small.conf"), "vnetd.lmdb.map-size = 1 MiB\n");
        int acknowledged = 0;
        try (VnetdProcess daemon = VnetdProcess.start(dataDir, "--config", small.toString());
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            JsonNode refusal = null;
            while (refusal == null && acknowledged < MOST_ATTEMPTS) {
                JsonNode reply = qmp.execute("netdev_add", "{\"type\":\"hubport\",\"id\":\"h" + acknowledged + "\",\"hubid\":0}");
                if (reply.has("error")) {
                    refusal = reply.get("error");
                } else {
                    acknowledged++;
                }
            }
            assertTrue(refusal != null && acknowledged > 0, "the journal filled up after " + acknowledged + " netdevs");
            assertEquals("GenericError", refusal.get("class").asText());
            assertEquals("vnetd could not journal the change: journal full: LMDB map size 1 MiB exhausted "
                    + "(vnetd.lmdb.map-size)", refusal.get("desc").asText());
            String refused = "h" + acknowledged;
            assertEquals("Device '" + refused + "' not found", qmp.execute("set_link",
                    "{\"name\":\"" + refused + "\",\"up\":false}").at("/error/desc").asText(), "the refused netdev was not made");
            qmp.ok("set_link", "{\"name\":\"h0\",\"up\":true}"); // already so: nothing to write, answered
            daemon.kill();
        }
        try (VnetdProcess daemon = VnetdProcess.start(dataDir);
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            String network = qmp.hmp("info network");
            assertEquals(acknowledged, network.lines().filter(line -> line.startsWith(" \\ h")).count(),
                    "every acknowledged netdev is back");
            assertTrue(network.contains(" \\ h" + (acknowledged - 1) + "\r\n"), network.lines().limit(3).toList().toString());
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"h" + acknowledged + "\",\"hubid\":0}");
            qmp.ok("set_link", "{\"name\":\"h0\",\"up\":false}");
        }
    }
}
