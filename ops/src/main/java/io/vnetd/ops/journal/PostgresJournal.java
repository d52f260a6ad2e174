package io.vnetd.ops.journal;

import io.vnetd.journal.postgres.PostgresDatabase;
import io.vnetd.journal.postgres.PostgresSchema;
import io.vnetd.ops.node.StartupException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** A PostgreSQL journal as the journal tools take it ({@code --journal postgres://...}), with one-line failures. */
record PostgresJournal(PostgresDatabase database) {

    static final String JOURNAL_PLUGIN = "vnetd.journal.postgres";
    static final String SNAPSHOT_PLUGIN = "vnetd.snapshot-store.postgres";
    static final String READ_PLUGIN = "vnetd.query.postgres";

    /**
     * Reads a {@code --journal} value.
     *
     * @throws StartupException if it is not {@code postgres://USER@HOST[:PORT]/DATABASE}
     */
    static PostgresJournal parse(String spec, Path passwordFile) {
        try {
            return new PostgresJournal(PostgresDatabase.parse(spec, Optional.ofNullable(passwordFile)));
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
    }

    /** Creates the tables that are missing; returns whether any was. */
    boolean initSchema() {
        try (Connection connection = connect()) {
            boolean existed = PostgresSchema.exists(connection);
            PostgresSchema.create(connection);
            return !existed;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** @throws StartupException if the database has no journal tables */
    void requireSchema() {
        try (Connection connection = connect()) {
            if (!PostgresSchema.exists(connection)) {
                throw new StartupException("no vnetd journal in " + database + " (create it with: vnetd journal init-postgres --journal "
                        + database + ")");
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    PostgresSchema.Contents contents() {
        try (Connection connection = connect()) {
            return PostgresSchema.contents(connection);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private Connection connect() throws SQLException {
        try {
            return database.connect();
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
    }

    private StartupException failure(SQLException e) {
        return new StartupException("PostgreSQL journal " + database + ": " + e.getMessage());
    }
}
