package io.vnetd.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.it.interop.Ports;
import io.vnetd.it.support.PostgresServer;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdCommand;
import io.vnetd.it.support.VnetdProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Growing a single node into a cluster's shared journal: {@code vnetd journal init-postgres}, {@code copy} of a node's
 * LMDB journal into PostgreSQL, and {@code ids}, {@code dump}, {@code replay} and {@code verify} reading it back
 * through the PostgreSQL plugins exactly as the node's own journal reads.
 */
class PostgresJournalToolIT {

    @TempDir
    Path dataDir;

    private VnetdCommand journal(String... args) throws Exception {
        return VnetdCommand.run(Stream.concat(Stream.of("journal"), Stream.of(args)).toArray(String[]::new));
    }

    @Test
    void aNodesJournalMovesIntoPostgresAndReadsBackTheSame() throws Exception {
        String target = PostgresServer.shared().journalSpec(PostgresServer.shared().createDatabase("copy"));
        runNode(qmp -> {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 0}");
            qmp.ok("device_add", "{\"driver\": \"virtio-net-pci\", \"id\": \"nic0\", \"netdev\": \"h1\"}");
            for (int i = 0; i < 101; i++) { // past the netdev's snapshot interval, so a snapshot is copied too
                qmp.ok("set_link", "{\"name\": \"h0\", \"up\": " + (i % 2 == 1) + "}");
            }
            qmp.ok("announce-self", "{\"initial\": 50, \"max\": 100, \"rounds\": 1, \"step\": 10}");
        });

        VnetdCommand missing = journal("ids", "--journal", target);
        assertEquals(1, missing.status(), missing.out());
        assertTrue(missing.err().contains("no vnetd journal in " + target
                + " (create it with: vnetd journal init-postgres --journal " + target + ")"), missing.err());

        VnetdCommand init = journal("init-postgres", "--journal", target);
        assertEquals(0, init.status(), init.err());
        assertEquals("journal created in " + target, init.out().strip());
        VnetdCommand again = journal("init-postgres", "--journal", target);
        assertEquals("journal already present in " + target, again.out().strip(), again.err());

        VnetdCommand copy = journal("copy", "--from", dataDir.toString(), "--to", target);
        assertEquals(0, copy.status(), copy.err());
        assertTrue(copy.out().startsWith("copied 4 entities ("), copy.out());
        assertTrue(copy.out().contains(", 1 snapshots) from " + dataDir + " to " + target), copy.out());

        VnetdCommand lmdbIds = journal("ids", "--data-dir", dataDir.toString());
        VnetdCommand postgresIds = journal("ids", "--journal", target);
        assertEquals(0, postgresIds.status(), postgresIds.err());
        assertEquals(sorted(lmdbIds.out()), sorted(postgresIds.out()));
        assertTrue(postgresIds.out().lines().anyMatch("Netdev|h0\t102"::equals), postgresIds.out());

        VnetdCommand lmdbDump = journal("dump", "--data-dir", dataDir.toString());
        VnetdCommand postgresDump = journal("dump", "--journal", target);
        assertEquals(0, postgresDump.status(), postgresDump.err());
        // The same events; the journal's write time of each is the copy's (the plugin stamps rows as it writes them).
        List<String> lmdbEvents = withoutWriteTimes(lmdbDump);
        List<String> postgresEvents = withoutWriteTimes(postgresDump);
        assertEquals(lmdbEvents.size(), postgresEvents.size());
        assertTrue(lmdbEvents.equals(postgresEvents), "the events read back differ from the node's");

        VnetdCommand replay = journal("replay", "Nic|nic0", "--journal", target);
        assertEquals(0, replay.status(), replay.err());
        assertEquals(withoutWriteTimes(journal("replay", "Nic|nic0", "--data-dir", dataDir.toString())),
                withoutWriteTimes(replay));

        VnetdCommand verify = journal("verify", "--journal", target);
        assertEquals(0, verify.status(), verify.out() + verify.err());
        long events = postgresIds.out().lines().mapToLong(line -> Long.parseLong(line.split("\t")[1])).sum();
        assertEquals("journal ok: " + events + " events, 1 snapshots, 0 bad records", verify.out().strip());

        VnetdCommand overwrite = journal("copy", "--from", dataDir.toString(), "--to", target);
        assertEquals(1, overwrite.status(), overwrite.out());
        assertEquals("vnetd: will not copy into " + target + ": it already holds " + events
                + " events and 1 snapshots", overwrite.err().strip());
    }

    @Test
    void verifyNamesARecordThatNoLongerDecodes() throws Exception {
        PostgresServer postgres = PostgresServer.shared();
        String database = postgres.createDatabase("verify");
        String target = postgres.journalSpec(database);
        runNode(qmp -> qmp.ok("set_link", "{\"name\": \"h0\", \"up\": false}"));
        assertEquals(0, journal("copy", "--from", dataDir.toString(), "--to", target).status());
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(database), PostgresServer.USER, "");
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE event_journal SET event_payload = 'not json' "
                    + "WHERE persistence_id = 'Netdev|h0' AND sequence_number = 2");
        }

        VnetdCommand verify = journal("verify", "--journal", target);
        assertEquals(1, verify.status(), verify.out());
        List<String> lines = verify.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("bad record Netdev|h0 #2: journal corrupt: record Netdev|h0 #2 does not decode"),
                verify.out());
        assertEquals("journal damaged: 1 events, 0 snapshots, 1 bad records", lines.getLast());
    }

    @Test
    void aJournalThatCannotBeReachedOrNamedIsRefusedInOneLine() throws Exception {
        VnetdCommand badSpec = journal("ids", "--journal", "postgres://127.0.0.1/vnetd");
        assertEquals(1, badSpec.status());
        assertEquals("vnetd: bad journal 'postgres://127.0.0.1/vnetd': expected postgres://USER@HOST[:PORT]/DATABASE"
                + " (the password comes from --password-file)", badSpec.err().strip());

        String nobody = "postgres://vnetd@127.0.0.1:" + Ports.tcp() + "/vnetd";
        VnetdCommand unreachable = journal("init-postgres", "--journal", nobody);
        assertEquals(1, unreachable.status());
        assertTrue(unreachable.err().startsWith("vnetd: PostgreSQL journal " + nobody + ": Connection to 127.0.0.1:"),
                unreachable.err());
        assertEquals(1, unreachable.err().strip().lines().count(), unreachable.err());
    }

    private interface Session {
        void run(QmpClient qmp) throws Exception;
    }

    /** A node on {@code dataDir} with hubport h0, then {@code session}, then an orderly stop. */
    private void runNode(Session session) throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dataDir);
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 0}");
            session.run(qmp);
            assertEquals(0, daemon.terminate());
        }
    }

    private static List<String> withoutWriteTimes(VnetdCommand dump) throws Exception {
        return dump.jsonLines().stream().map(line -> {
            ((ObjectNode) line).remove("timestamp");
            return line.toString();
        }).sorted().toList();
    }

    private static List<String> sorted(String lines) {
        return lines.lines().sorted().toList();
    }
}
