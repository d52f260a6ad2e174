package io.vnetd.journal;

import java.util.List;

/**
 * What a journal verifier found: how many events and snapshots are sound, and every record that is not; {@link #ok()}
 * if none.
 */
public record VerificationReport(long events, long snapshots, List<Problem> problems) {

    /** One bad record; {@code message} names it, e.g. "journal corrupt: record Netdev|h0 #17 failed its checksum". */
    public record Problem(String persistenceId, long sequenceNr, String message) {}

    public VerificationReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
