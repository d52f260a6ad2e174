package io.vnetd.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdCommand;
import io.vnetd.it.support.VnetdProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vnetd journal}: what an operator reads from a stopped node's journal. */
class JournalToolIT {

    @TempDir
    Path dataDir;

    private VnetdCommand journal(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("journal"));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", dataDir.toString()));
        return VnetdCommand.run(command.toArray(String[]::new));
    }

    @Test
    void dumpReplayAndVerifyShowWhatTheNodeJournaled() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dataDir);
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 0}");
            qmp.ok("set_link", "{\"name\": \"h0\", \"up\": false}");
            qmp.ok("set_link", "{\"name\": \"h0\", \"up\": true}");

            VnetdCommand refused = journal("ids");
            assertEquals(1, refused.status(), refused.out());
            assertTrue(refused.err().contains("is in use by another vnetd (pid " + daemon.pid() + ")"), refused.err());

            assertEquals(0, daemon.terminate());
        }

        VnetdCommand ids = journal("ids");
        assertEquals(0, ids.status(), ids.err());
        assertTrue(ids.out().lines().anyMatch(line -> line.equals("Netdev|h0\t3")), ids.out());

        VnetdCommand dump = journal("dump", "Netdev|h0");
        assertEquals(0, dump.status(), dump.err());
        List<JsonNode> events = dump.jsonLines();
        assertEquals(List.of(1L, 2L, 3L), events.stream().map(e -> e.get("sequence-nr").asLong()).toList());
        assertEquals("Netdev|h0", events.getFirst().get("persistence-id").asText());
        assertEquals("hubport", events.getFirst().at("/event/config/type").asText(), events.getFirst().toString());

        VnetdCommand replay = journal("replay", "Netdev|h0", "--to", "2");
        assertEquals(0, replay.status(), replay.err());
        List<JsonNode> states = replay.jsonLines();
        assertEquals(2, states.size(), replay.out());
        assertTrue(states.get(0).at("/state/linkUp").asBoolean(), states.get(0).toString());
        assertEquals(false, states.get(1).at("/state/linkUp").asBoolean(), states.get(1).toString());

        VnetdCommand unknown = journal("replay", "Directory|x");
        assertEquals(1, unknown.status());
        assertTrue(unknown.err().contains("no replay for entity type 'Directory'"), unknown.err());

        VnetdCommand verify = journal("verify");
        assertEquals(0, verify.status(), verify.err());
        assertTrue(verify.out().contains("journal ok: "), verify.out());
    }
}
