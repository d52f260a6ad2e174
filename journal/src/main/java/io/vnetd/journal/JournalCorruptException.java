package io.vnetd.journal;

/**
 * A stored record that fails its checksum or cannot be decoded, e.g.
 * {@code journal corrupt: record Netdev|h0 #17 failed its checksum}. Recovery stops on it rather than skip history.
 */
public final class JournalCorruptException extends JournalException {

    static final String EVENT = "record";
    static final String SNAPSHOT = "snapshot";

    private final String persistenceId;
    private final long sequenceNr;

    JournalCorruptException(String kind, String persistenceId, long sequenceNr, String problem, Throwable cause) {
        super("journal corrupt: %s %s #%d %s".formatted(kind, persistenceId, sequenceNr, problem), cause);
        this.persistenceId = persistenceId;
        this.sequenceNr = sequenceNr;
    }

    public String persistenceId() {
        return persistenceId;
    }

    public long sequenceNr() {
        return sequenceNr;
    }
}
