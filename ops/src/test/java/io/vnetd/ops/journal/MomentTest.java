package io.vnetd.ops.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.ops.node.StartupException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MomentTest {

    @Test
    void aNumberIsASequenceNumberAndElseAnInstant() {
        assertEquals(new Moment.Sequence(12), Moment.parse("--at", "12"));
        assertEquals(new Moment.Time(Instant.parse("2026-12-07T18:00:00Z")), Moment.parse("--at", "2026-12-07T18:00:00Z"));
        assertEquals(new Moment.Time(Instant.parse("2026-12-07T18:00:00Z")),
                Moment.parse("--at", "2026-12-07T19:00:00+01:00"));
    }

    @Test
    void anythingElseIsRefusedNamingTheOption() {
        StartupException e = assertThrows(StartupException.class, () -> Moment.parse("--from", "yesterday"));
        assertEquals("--from: 'yesterday' is neither a sequence number nor an ISO-8601 instant (e.g. 2026-12-07T18:00:00Z)",
                e.getMessage());
        assertThrows(StartupException.class, () -> Moment.parse("--at", "99999999999999999999"));
        assertThrows(StartupException.class, () -> Moment.parse("--at", ""));
    }
}
