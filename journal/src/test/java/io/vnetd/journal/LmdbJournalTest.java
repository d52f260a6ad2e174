package io.vnetd.journal;

import static io.vnetd.journal.JournalClient.atomic;
import static io.vnetd.journal.JournalClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.JournalProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbJournalTest {

    private static final String PID = "Netdev|h0";

    @TempDir
    Path dir;

    private ActorTestKit kit;

    /** (Re)starts the actor system on the same directory. */
    private JournalClient start(String extraConfig) {
        stop();
        kit = TestSupport.system(dir, extraConfig);
        return new JournalClient(kit);
    }

    private JournalClient start() {
        return start("");
    }

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
            kit = null;
        }
    }

    @Test
    void eventsSurviveARestartOfTheActorSystem() {
        JournalClient journal = start();
        journal.writeOk(PID, 1, "a", "b");
        journal.writeOk(PID, 3, "c");
        journal.writeOk("Nic|n0", 1, "x");

        journal = start();
        JournalClient.Replayed replayed = journal.replayAll(PID);
        assertEquals(List.of("a", "b", "c"), replayed.payloads());
        assertEquals(List.of(1L, 2L, 3L), replayed.sequenceNrs());
        assertEquals(3, replayed.highest());
        assertTrue(replayed.events().stream().allMatch(e -> e.persistenceId().equals(PID)
                && e.writerUuid().equals("writer") && e.timestamp() > 0));
        assertEquals(List.of("x"), journal.replayAll("Nic|n0").payloads());
        assertEquals(0, journal.replayAll("never-written").highest());
    }

    @Test
    void replaysRangesAndAtMostMax() {
        JournalClient journal = start();
        journal.writeOk(PID, 1, payloads("e", 1, 10));

        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), journal.replay(PID, 3, 7, Long.MAX_VALUE).sequenceNrs());
        assertEquals(List.of(1L, 2L, 3L, 4L), journal.replay(PID, 1, Long.MAX_VALUE, 4).sequenceNrs());
        assertEquals(List.of(9L, 10L), journal.replay(PID, 9, 20, Long.MAX_VALUE).sequenceNrs());
        assertEquals(List.of(), journal.replay(PID, 11, 20, Long.MAX_VALUE).sequenceNrs());
        assertEquals(List.of(), journal.replay(PID, 1, 10, 0).sequenceNrs());
        assertEquals(10, journal.replay(PID, 3, 7, 2).highest());
    }

    @Test
    void highestSequenceNrSurvivesDeletingEveryEvent() {
        JournalClient journal = start();
        journal.writeOk(PID, 1, payloads("e", 1, 5));

        journal.delete(PID, 3);
        assertEquals(List.of(4L, 5L), journal.replayAll(PID).sequenceNrs());
        journal.delete(PID, 2); // already gone
        assertEquals(List.of(4L, 5L), journal.replayAll(PID).sequenceNrs());

        journal.delete(PID, Long.MAX_VALUE);
        JournalClient.Replayed replayed = journal.replayAll(PID);
        assertEquals(List.of(), replayed.events());
        assertEquals(5, replayed.highest());

        journal = start();
        assertEquals(5, journal.replayAll(PID).highest());
        journal.writeOk(PID, 6, "f");
        assertEquals(List.of("f"), journal.replayAll(PID).payloads());
        journal.delete("never-written", 10);
    }

    @Test
    void rejectsOnlyTheAtomicWriteThatCannotBeSerialized() {
        JournalClient journal = start();
        JournalClient.Written written = journal.write(
                atomic(PID, 1, "ok"), atomic("other", 1, "fine", new Object()), atomic("third", 1, "ok too"));

        assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, written.outcome());
        List<Class<?>> responses = new ArrayList<>();
        written.perEvent().forEach(r -> responses.add(r.getClass()));
        assertEquals(List.of(JournalProtocol.WriteMessageSuccess.class, JournalProtocol.WriteMessageRejected.class,
                JournalProtocol.WriteMessageRejected.class, JournalProtocol.WriteMessageSuccess.class), responses);
        assertEquals(List.of("ok"), journal.replayAll(PID).payloads());
        assertEquals(0, journal.replayAll("other").highest());
        assertEquals(List.of("ok too"), journal.replayAll("third").payloads());
    }

    @Test
    void refusesToOverwriteARecord() {
        JournalClient journal = start();
        journal.writeOk(PID, 1, "a", "b");

        JournalClient.Written written = journal.write(atomic(PID, 2, "b again", "c"));
        JournalProtocol.WriteMessagesFailed failed = assertInstanceOf(JournalProtocol.WriteMessagesFailed.class,
                written.outcome());
        assertEquals("journal conflict: record Netdev|h0 #2 is already written (two writers for one id?)",
                failed.cause().getMessage());
        assertEquals(List.of("a", "b"), journal.replayAll(PID).payloads());
    }

    @Test
    void corruptRecordFailsReplayNamingItAndVerifyReportsIt() {
        JournalClient journal = start();
        journal.writeOk(PID, 1, "a", "b", "c");
        stop();
        TestSupport.corruptRecord(dir, 2);

        journal = start();
        JournalClient.Replayed replayed = journal.replayAll(PID);
        assertEquals("journal corrupt: record Netdev|h0 #2 failed its checksum", replayed.failure().getMessage());

        VerificationReport report = LmdbJournalVerifier.verify(kit.system());
        assertEquals(List.of(new VerificationReport.Problem(PID, 2,
                "journal corrupt: record Netdev|h0 #2 failed its checksum")), report.problems());
        assertEquals(2, report.events());
    }

    @Test
    void verifyPassesASoundStore() {
        JournalClient journal = start();
        journal.writeOk(PID, 1, "a", "b");
        journal.saveSnapshot(PID, 2, "a,b");

        VerificationReport report = LmdbJournalVerifier.verify(kit.system());
        assertTrue(report.ok());
        assertEquals(2, report.events());
        assertEquals(1, report.snapshots());
    }

    @Test
    void aWriteLargerThanTheMapFailsAndTheJournalGoesOn() {
        JournalClient journal = start("vnetd.lmdb.map-size = 1 MiB");
        journal.writeOk(PID, 1, "a", "b");

        JournalClient.Written written = journal.write(atomic(PID, 3, "c", "x".repeat(2 << 20)));
        JournalProtocol.WriteMessagesFailed failed = assertInstanceOf(JournalProtocol.WriteMessagesFailed.class,
                written.outcome());
        assertEquals("journal full: LMDB map size 1 MiB exhausted (vnetd.lmdb.map-size)", failed.cause().getMessage());

        journal.writeOk(PID, 3, "c", "d"); // nothing of the failed write was kept
        journal = start("vnetd.lmdb.map-size = 1 MiB");
        assertEquals(List.of("a", "b", "c", "d"), journal.replayAll(PID).payloads());
    }

    @Test
    void aFullMapFailsWritesAndLosesNothingAcknowledged() {
        JournalClient journal = start("vnetd.lmdb.map-size = 1 MiB");
        String big = "y".repeat(16 << 10);
        long acked = 0;
        JournalClient.Written written;
        do {
            written = journal.write(atomic(PID, acked + 1, acked + ":" + big));
            if (written.outcome() instanceof JournalProtocol.WriteMessagesSuccessful$) {
                acked++;
            }
        } while (written.outcome() instanceof JournalProtocol.WriteMessagesSuccessful$ && acked < 1000);
        JournalProtocol.WriteMessagesFailed failed = assertInstanceOf(JournalProtocol.WriteMessagesFailed.class,
                written.outcome());
        assertTrue(failed.cause().getMessage().startsWith("journal full"));
        assertTrue(acked > 10, "acknowledged " + acked);
        assertEquals(acked, journal.replayAll(PID).events().size(), "still readable");

        journal = start("vnetd.lmdb.map-size = 4 MiB"); // what the operator does
        JournalClient.Replayed replayed = journal.replayAll(PID);
        assertNull(replayed.failure());
        assertEquals(acked, replayed.events().size());
        for (int i = 0; i < acked; i++) {
            assertEquals(i + ":" + big, replayed.payloads().get(i));
        }
        journal.writeOk(PID, acked + 1, "after");
        assertEquals(acked + 1, journal.replayAll(PID).highest());
    }
}
