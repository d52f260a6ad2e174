package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbSnapshotStoreTest {

    private static final String PID = "Nic|n0";
    private static final long MAX = Long.MAX_VALUE;

    @TempDir
    Path dir;

    private ActorTestKit kit;

    /** Timestamps Pekko gave the snapshots at 5, 10 and 15 of {@link #PID}. */
    private long ts5;
    private long ts10;
    private long ts15;

    private JournalClient start() {
        stop();
        kit = TestSupport.system(dir, "");
        return new JournalClient(kit);
    }

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
            kit = null;
        }
    }

    private static SnapshotSelectionCriteria criteria(long maxSeq, long maxTimestamp, long minSeq, long minTimestamp) {
        return new SnapshotSelectionCriteria(maxSeq, maxTimestamp, minSeq, minTimestamp);
    }

    /** Snapshots at 5, 10 and 15, each in a later millisecond than the one before, and one of another id. */
    private void saveThree(JournalClient store) {
        ts5 = store.saveSnapshot(PID, 5, "s5");
        awaitNextMillisecond(ts5);
        ts10 = store.saveSnapshot(PID, 10, "s10");
        awaitNextMillisecond(ts10);
        ts15 = store.saveSnapshot(PID, 15, "s15");
        store.saveSnapshot("Nic|n1", 7, "other");
    }

    private static void awaitNextMillisecond(long now) {
        while (System.currentTimeMillis() <= now) {
            Thread.onSpinWait();
        }
    }

    @Test
    void loadsTheYoungestSnapshotMatchingTheCriteriaAfterARestart() {
        saveThree(start());
        JournalClient store = start();

        SelectedSnapshot latest = store.loadSnapshot(PID, SnapshotSelectionCriteria.latest()).orElseThrow();
        assertEquals("s15", latest.snapshot());
        assertEquals(15, latest.metadata().sequenceNr());
        assertEquals(ts15, latest.metadata().timestamp());
        assertEquals(PID, latest.metadata().persistenceId());

        assertEquals(10, store.youngestSnapshot(PID, criteria(12, MAX, 0, 0)));
        assertEquals(10, store.youngestSnapshot(PID, criteria(10, MAX, 0, 0)));
        assertEquals(5, store.youngestSnapshot(PID, criteria(MAX, ts10 - 1, 0, 0)));
        assertEquals(10, store.youngestSnapshot(PID, criteria(MAX, ts10, 0, 0)));
        assertEquals(15, store.youngestSnapshot(PID, criteria(MAX, MAX, 11, 0)));
        assertEquals(10, store.youngestSnapshot(PID, criteria(14, MAX, 0, ts10)));
        assertEquals(0, store.youngestSnapshot(PID, criteria(9, MAX, 0, ts10)));
        assertEquals(0, store.youngestSnapshot(PID, criteria(14, MAX, 11, 0)));
        assertEquals(0, store.youngestSnapshot(PID, criteria(MAX, ts5 - 1, 0, 0)));
        assertEquals(0, store.youngestSnapshot(PID, SnapshotSelectionCriteria.none()));
        assertEquals(7, store.youngestSnapshot("Nic|n1", SnapshotSelectionCriteria.latest()));
        assertEquals(0, store.youngestSnapshot("unknown", SnapshotSelectionCriteria.latest()));
    }

    @Test
    void savingAgainAtASequenceNumberReplacesTheSnapshot() {
        JournalClient store = start();
        store.saveSnapshot(PID, 5, "first");
        store.saveSnapshot(PID, 5, "second");

        assertEquals("second", store.loadSnapshot(PID, SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
    }

    @Test
    void deletesOneSnapshotOrEveryOneMatchingCriteria() {
        JournalClient store = start();
        saveThree(store);

        store.deleteSnapshot(PID, 10);
        assertEquals(5, store.youngestSnapshot(PID, criteria(12, MAX, 0, 0)));
        assertEquals(15, store.youngestSnapshot(PID, SnapshotSelectionCriteria.latest()));

        store.deleteSnapshots(PID, criteria(MAX, ts15 - 1, 0, 0)); // only 5 is that old
        assertEquals(0, store.youngestSnapshot(PID, criteria(14, MAX, 0, 0)));
        assertEquals(15, store.youngestSnapshot(PID, SnapshotSelectionCriteria.latest()));

        store.deleteSnapshots(PID, SnapshotSelectionCriteria.latest());
        store = start();
        assertEquals(0, store.youngestSnapshot(PID, SnapshotSelectionCriteria.latest()));
        assertEquals(7, store.youngestSnapshot("Nic|n1", SnapshotSelectionCriteria.latest()));
    }
}
