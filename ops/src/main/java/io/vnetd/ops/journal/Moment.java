package io.vnetd.ops.journal;

import io.vnetd.ops.node.StartupException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A point in an entity's history: after its event of a sequence number, or as of an instant. */
sealed interface Moment {

    /** Whether {@code event} had happened by this moment. */
    boolean includes(JournalEvent event);

    /** After event {@code sequenceNr}. */
    record Sequence(long sequenceNr) implements Moment {
        @Override
        public boolean includes(JournalEvent event) {
            return event.sequenceNr() <= sequenceNr;
        }

        @Override
        public String toString() {
            return "event " + sequenceNr;
        }
    }

    /** As of {@code at}: every event journaled at that instant or before. */
    record Time(Instant at) implements Moment {
        @Override
        public boolean includes(JournalEvent event) {
            return event.timestamp() <= at.toEpochMilli();
        }

        @Override
        public String toString() {
            return at.toString();
        }
    }

    /**
     * A sequence number ({@code 12}) or an ISO-8601 instant ({@code 2026-12-07T18:00:00Z},
     * {@code 2026-12-07T19:00:00+01:00}).
     *
     * @throws StartupException naming {@code option} if it is neither
     */
    static Moment parse(String option, String text) {
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            try {
                return new Sequence(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new StartupException(option + ": sequence number " + text + " is too large");
            }
        }
        try {
            return new Time(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw new StartupException(option + ": '" + text
                    + "' is neither a sequence number nor an ISO-8601 instant (e.g. 2026-12-07T18:00:00Z)");
        }
    }
}
