package io.vnetd.journal.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables pekko-persistence-jdbc reads and writes (its {@code schema/postgres/postgres-create-schema.sql}: the
 * event journal with its tags, and the snapshots), created when missing. vnetd keeps no durable state, so the
 * plugin's durable-state table is left out.
 */
public final class PostgresSchema {

    private static final List<String> CREATE = List.of(
            """
            CREATE TABLE IF NOT EXISTS event_journal (
              ordering BIGSERIAL,
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number BIGINT NOT NULL,
              deleted BOOLEAN DEFAULT FALSE NOT NULL,
              writer VARCHAR(255) NOT NULL,
              write_timestamp BIGINT,
              adapter_manifest VARCHAR(255),
              event_ser_id INTEGER NOT NULL,
              event_ser_manifest VARCHAR(255) NOT NULL,
              event_payload BYTEA NOT NULL,
              meta_ser_id INTEGER,
              meta_ser_manifest VARCHAR(255),
              meta_payload BYTEA,
              PRIMARY KEY (persistence_id, sequence_number))""",
            "CREATE UNIQUE INDEX IF NOT EXISTS event_journal_ordering_idx ON event_journal (ordering)",
            """
            CREATE TABLE IF NOT EXISTS event_tag (
              event_id BIGINT,
              tag VARCHAR(256),
              PRIMARY KEY (event_id, tag),
              CONSTRAINT fk_event_journal FOREIGN KEY (event_id) REFERENCES event_journal (ordering) ON DELETE CASCADE)""",
            """
            CREATE TABLE IF NOT EXISTS snapshot (
              persistence_id VARCHAR(255) NOT NULL,
              sequence_number BIGINT NOT NULL,
              created BIGINT NOT NULL,
              snapshot_ser_id INTEGER NOT NULL,
              snapshot_ser_manifest VARCHAR(255) NOT NULL,
              snapshot_payload BYTEA NOT NULL,
              meta_ser_id INTEGER,
              meta_ser_manifest VARCHAR(255),
              meta_payload BYTEA,
              PRIMARY KEY (persistence_id, sequence_number))""");

    /** What the journal holds: its events (deleted ones included) and snapshots. */
    public record Contents(long events, long snapshots) {
        public boolean isEmpty() {
            return events == 0 && snapshots == 0;
        }
    }

    private PostgresSchema() {}

    /** Creates whatever of the schema is missing, in one transaction; leaves existing tables and rows alone. */
    public static void create(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : CREATE) {
                statement.execute(sql);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Whether the journal's tables exist. */
    public static boolean exists(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                             + " AND table_name IN ('event_journal', 'event_tag', 'snapshot')")) {
            rows.next();
            return rows.getInt(1) == 3;
        }
    }

    /** What the journal holds; nothing when its tables are missing. */
    public static Contents contents(Connection connection) throws SQLException {
        if (!exists(connection)) {
            return new Contents(0, 0);
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT (SELECT count(*) FROM event_journal), (SELECT count(*) FROM snapshot)")) {
            rows.next();
            return new Contents(rows.getLong(1), rows.getLong(2));
        }
    }
}
