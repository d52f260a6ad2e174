package io.vnetd.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdCommand;
import io.vnetd.it.support.VnetdProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vnetd journal} for debugging, as an operator uses it: {@code dump --follow} on a node that is running,
 * then on the stopped node {@code replay --at}, {@code diff} (two moments, two data directories) and {@code stats}.
 */
class JournalHistoryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LINE_TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private VnetdCommand journal(Path dataDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("journal"));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", dataDir.toString()));
        return VnetdCommand.run(command.toArray(String[]::new));
    }

    @Test
    void followReplayAtDiffAndStats() throws Exception {
        Path node = dir.resolve("node");
        Instant linkDown;
        // No checkpoint while it runs: what the node journals is in its write-ahead log only, where --follow reads it.
        try (VnetdProcess daemon = VnetdProcess.startWithJvmOptions(List.of("-Dvnetd.lmdb.checkpoint-interval=1h"),
                node);
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 0}");
            Thread.sleep(20); // events a few milliseconds apart, so that an instant falls between them
            qmp.ok("set_link", "{\"name\": \"h0\", \"up\": false}");
            Thread.sleep(20);
            linkDown = Instant.now();
            Thread.sleep(20);

            Process follower = new ProcessBuilder(VnetdProcess.command("journal", "dump", "--follow",
                    "--poll", "PT0.05S", "--data-dir", node.toString())).start();
            try {
                BlockingQueue<String> lines = lines(follower);
                JsonNode first = next(lines, follower);
                assertEquals("Netdev|h0", first.get("persistence-id").asText(), first.toString());
                assertEquals(1, first.get("sequence-nr").asLong());
                assertEquals("hubport", first.at("/event/config/type").asText(), first.toString());
                assertEquals(2, next(lines, follower).get("sequence-nr").asLong(), "the history first");

                qmp.ok("set_link", "{\"name\": \"h0\", \"up\": true}");
                JsonNode third = next(lines, follower);
                assertEquals("Netdev|h0", third.get("persistence-id").asText());
                assertEquals(3, third.get("sequence-nr").asLong(), "a new event as the node journals it: " + third);
                qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 1}");
                JsonNode created = next(lines, follower);
                assertEquals("Netdev|h1", created.get("persistence-id").asText(), created.toString());
                assertEquals(1, created.get("sequence-nr").asLong());

                qmp.ok("set_link", "{\"name\": \"h1\", \"up\": false}");
                assertEquals("Netdev|h1", next(lines, follower).get("persistence-id").asText(),
                        "the node goes on writing while it is followed");
                assertTrue(follower.isAlive(), "--follow keeps following");
            } finally {
                follower.destroy();
                assertTrue(follower.waitFor(30, TimeUnit.SECONDS), "the follower stops on SIGTERM");
            }
            assertEquals(0, daemon.terminate(), "the node stops cleanly after being followed");
        }

        VnetdCommand atSequence = journal(node, "replay", "Netdev|h0", "--at", "2");
        assertEquals(0, atSequence.status(), atSequence.err());
        JsonNode state = atSequence.jsonLines().getFirst();
        assertEquals(1, atSequence.jsonLines().size(), atSequence.out());
        assertEquals(2, state.get("sequence-nr").asLong());
        assertFalse(state.at("/state/linkUp").asBoolean(true), state.toString());

        VnetdCommand atInstant = journal(node, "replay", "Netdev|h0", "--at", linkDown.toString());
        assertEquals(0, atInstant.status(), atInstant.err());
        JsonNode then = atInstant.jsonLines().getFirst();
        assertEquals(2, then.get("sequence-nr").asLong(), "the last event journaled by then: " + then);
        assertFalse(then.at("/state/linkUp").asBoolean(true), then.toString());

        VnetdCommand tooEarly = journal(node, "replay", "Netdev|h0", "--at", "2001-01-01T00:00:00Z");
        assertEquals(1, tooEarly.status());
        assertTrue(tooEarly.err().contains("'Netdev|h0' did not exist yet at 2001-01-01T00:00:00Z"), tooEarly.err());
        VnetdCommand badTime = journal(node, "replay", "Netdev|h0", "--at", "yesterday");
        assertEquals(1, badTime.status());
        assertTrue(badTime.err().contains("--at: 'yesterday' is neither a sequence number nor an ISO-8601 instant"),
                badTime.err());

        VnetdCommand moments = journal(node, "diff", "Netdev|h0", "--from", "1", "--to", "2");
        assertEquals(0, moments.status(), moments.err());
        assertEquals(List.of(JSON.readTree("{\"path\":\"/linkUp\",\"from\":true,\"to\":false}")), moments.jsonLines());
        assertTrue(moments.err().contains("Netdev|h0: 1 differences between 1 and 2"), moments.err());
        VnetdCommand same = journal(node, "diff", "Netdev|h0", "--from", "1", "--to", "3");
        assertEquals(0, same.status(), same.err());
        assertEquals("", same.out());
        assertTrue(same.err().contains("no differences"), same.err());

        Path other = dir.resolve("other");
        try (VnetdProcess daemon = VnetdProcess.start(other);
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 7}");
            assertEquals(0, daemon.terminate());
        }
        VnetdCommand dirs = journal(node, "diff", "Netdev|h0", "--against", other.toString());
        assertEquals(0, dirs.status(), dirs.err());
        assertTrue(dirs.jsonLines().contains(JSON.readTree("{\"path\":\"/config/hubid\",\"from\":0,\"to\":7}")),
                dirs.out());

        VnetdCommand stats = journal(node, "stats");
        assertEquals(0, stats.status(), stats.err());
        List<String> text = stats.out().lines().toList();
        assertEquals("entities 2, events 5", text.getFirst(), stats.out());
        assertTrue(text.contains("  Netdev: 2 entities, 5 events"), stats.out());
        assertTrue(text.stream().anyMatch(l -> l.startsWith("oldest ") && l.endsWith(" Netdev|h0 #1 NetdevAdded")
                || l.startsWith("oldest ") && l.contains(" Netdev|h0 #1 ")), stats.out());
        assertTrue(text.stream().anyMatch(l -> l.startsWith("newest ") && l.contains(" Netdev|h1 #2 ")), stats.out());
        assertTrue(text.stream().anyMatch(l -> l.matches("size data\\.mdb [1-9][0-9]* bytes")), stats.out());
        assertFalse(stats.err().contains("\r"), "no progress when the output is not a terminal");
        VnetdCommand statsJson = journal(node, "stats", "--json");
        assertEquals(0, statsJson.status(), statsJson.err());
        JsonNode json = statsJson.jsonLines().getFirst();
        assertEquals(5, json.get("events").asLong(), json.toString());
        assertEquals(2, json.at("/by-type/Netdev/entities").asLong(), json.toString());
        assertEquals("Netdev|h1", json.at("/newest/persistence-id").asText(), json.toString());
    }

    /**
     * Checkpoints every few milliseconds and the smallest log segments: the node cuts its log under the follower
     * and rolls segments while it reads them, and every event still comes out once, in order.
     */
    @Test
    void followKeepsUpWhileTheNodeCheckpointsAndCutsItsLog() throws Exception {
        Path node = dir.resolve("busy");
        int changes = 400;
        try (VnetdProcess daemon = VnetdProcess.startWithJvmOptions(List.of("-Dvnetd.lmdb.checkpoint-interval=5ms",
                "-Dvnetd.lmdb.log-segment-size=64KiB"), node);
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 0}");
            Process follower = new ProcessBuilder(VnetdProcess.command("journal", "dump", "--follow", "Netdev|h0",
                    "--poll", "PT0.01S", "--data-dir", node.toString())).start();
            try {
                BlockingQueue<String> lines = lines(follower);
                for (int i = 0; i < changes; i++) {
                    qmp.ok("set_link", "{\"name\": \"h0\", \"up\": " + (i % 2 == 1) + "}");
                }
                for (long expected = 1; expected <= changes + 1; expected++) {
                    JsonNode line = next(lines, follower);
                    assertEquals(expected, line.get("sequence-nr").asLong(), "every event once, in order: " + line);
                }
                qmp.ok("set_link", "{\"name\": \"h0\", \"up\": false}");
                assertEquals(changes + 2, next(lines, follower).get("sequence-nr").asLong());
                assertTrue(lines.isEmpty(), "nothing more: " + lines);
            } finally {
                follower.destroy();
                assertTrue(follower.waitFor(30, TimeUnit.SECONDS), "the follower stops on SIGTERM");
            }
            assertEquals(0, daemon.terminate());
        }
    }

    private static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
        });
        return lines;
    }

    private static JsonNode next(BlockingQueue<String> lines, Process follower) throws Exception {
        String line = lines.poll(LINE_TIMEOUT_S, TimeUnit.SECONDS);
        assertNotNull(line, "no line from the follower within " + LINE_TIMEOUT_S + " s; alive=" + follower.isAlive()
                + (follower.isAlive() ? "" : ", stderr: " + new String(follower.getErrorStream().readAllBytes(),
                StandardCharsets.UTF_8)));
        return JSON.readTree(line);
    }
}
