package io.vnetd.journal.postgres;

import io.vnetd.journal.VerificationReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Checks a whole PostgreSQL journal, for {@code vnetd journal verify}: every event and snapshot must decode with the
 * serializers of the given actor system, and each entity's events must follow each other without a gap (PostgreSQL
 * checks its own pages; what it cannot know is whether a row still makes sense to vnetd). Reports every bad record
 * rather than stopping at the first. Reads in one snapshot of the database, so nodes may write meanwhile.
 */
public final class PostgresJournalVerifier {

    private static final int FETCH_SIZE = 1_000;

    private PostgresJournalVerifier() {}

    /**
     * @throws IllegalStateException with the driver's reason if the database cannot be read
     */
    public static VerificationReport verify(ClassicActorSystemProvider system, PostgresDatabase database) {
        Serialization serialization = SerializationExtension.get(system.classicSystem());
        List<VerificationReport.Problem> problems = new ArrayList<>();
        try (Connection connection = database.connect()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            long events = scanEvents(connection, serialization, problems);
            long snapshots = scanSnapshots(connection, serialization, problems);
            connection.commit();
            return new VerificationReport(events, snapshots, problems);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the PostgreSQL journal " + database + ": " + e.getMessage(), e);
        }
    }

    private static long scanEvents(Connection connection, Serialization serialization,
                                   List<VerificationReport.Problem> problems) throws SQLException {
        String[] previousId = {null};
        long[] previousNr = {0};
        return scan(connection, "SELECT persistence_id, sequence_number, event_ser_id, event_ser_manifest, event_payload"
                + " FROM event_journal WHERE NOT deleted ORDER BY persistence_id, sequence_number", rows -> {
                    String id = rows.getString(1);
                    long nr = rows.getLong(2);
                    if (id.equals(previousId[0]) && nr != previousNr[0] + 1) {
                        problems.add(new VerificationReport.Problem(id, previousNr[0] + 1, "journal has a gap: record "
                                + id + " #" + (previousNr[0] + 1) + " to #" + (nr - 1) + " missing"));
                    }
                    previousId[0] = id;
                    previousNr[0] = nr;
                    return decodes(serialization, rows, "record", problems);
                });
    }

    private static long scanSnapshots(Connection connection, Serialization serialization,
                                      List<VerificationReport.Problem> problems) throws SQLException {
        return scan(connection, "SELECT persistence_id, sequence_number, snapshot_ser_id, snapshot_ser_manifest,"
                + " snapshot_payload FROM snapshot ORDER BY persistence_id, sequence_number",
                rows -> decodes(serialization, rows, "snapshot", problems));
    }

    private interface RowCheck {
        boolean sound(ResultSet row) throws SQLException;
    }

    /** Runs {@code sql} in pages and returns the rows {@code check} finds sound. */
    private static long scan(Connection connection, String sql, RowCheck check) throws SQLException {
        long sound = 0;
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setFetchSize(FETCH_SIZE);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    if (check.sound(rows)) {
                        sound++;
                    }
                }
            }
        }
        return sound;
    }

    /** Whether {@code row} (persistence id, sequence number, serializer id, manifest, payload) decodes. */
    private static boolean decodes(Serialization serialization, ResultSet row, String kind,
                                   List<VerificationReport.Problem> problems) throws SQLException {
        String id = row.getString(1);
        long nr = row.getLong(2);
        var decoded = serialization.deserialize(row.getBytes(5), row.getInt(3), row.getString(4));
        if (decoded.isFailure()) {
            problems.add(new VerificationReport.Problem(id, nr, "journal corrupt: " + kind + " " + id + " #" + nr
                    + " does not decode: " + decoded.failed().get().getMessage()));
            return false;
        }
        return true;
    }
}
