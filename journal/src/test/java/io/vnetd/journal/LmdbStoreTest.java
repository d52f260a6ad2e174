package io.vnetd.journal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/** The store on its own, with opaque payloads: group commit, failure isolation, durability, sharing. */
class LmdbStoreTest {

    private static final int BYTES_SERIALIZER = 4;

    @TempDir
    Path dir;

    private static StoredEvent event(String persistenceId, long sequenceNr, int size) {
        byte[] bytes = new byte[size];
        bytes[0] = (byte) sequenceNr;
        return new StoredEvent(persistenceId, sequenceNr, BYTES_SERIALIZER, bytes);
    }

    private static List<Long> sequenceNrs(LmdbStore store, String persistenceId) {
        return store.events(persistenceId, 1, Long.MAX_VALUE, Integer.MAX_VALUE).stream()
                .map(StoredEvent::sequenceNr).toList();
    }

    @Test
    void concurrentWritesAreCommittedTogetherInFewerTransactions() {
        int writers = 200;
        int eventsEach = 10;
        try (LmdbStore store = LmdbStore.acquire(TestSupport.settings(dir, 64 << 20))) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (long seq = 1; seq <= eventsEach; seq++) {
                for (int w = 0; w < writers; w++) {
                    writes.add(store.append(List.of(event("w" + w, seq, 100))));
                }
            }
            writes.forEach(CompletableFuture::join);

            LmdbStore.Counters counters = store.counters();
            assertEquals(writers * eventsEach, counters.requests());
            assertEquals(writers * eventsEach, counters.events());
            assertTrue(counters.commits() < counters.requests(), "commits " + counters.commits());
            for (int w = 0; w < writers; w++) {
                assertEquals(10, sequenceNrs(store, "w" + w).size());
            }
            assertEquals(writers, store.persistenceIds("", Integer.MAX_VALUE).size());
        }
    }

    @Test
    void aFailingRequestFailsAloneAndNothingOfItIsCommitted() {
        try (LmdbStore store = LmdbStore.acquire(TestSupport.settings(dir, 1 << 20))) {
            CompletableFuture<Void> before = store.append(List.of(event("a", 1, 100)));
            CompletableFuture<Void> huge = store.append(List.of(event("b", 1, 100), event("b", 2, 2 << 20)));
            CompletableFuture<Void> after = store.append(List.of(event("c", 1, 100)));

            before.join();
            after.join();
            CompletionException failed = assertThrows(CompletionException.class, huge::join);
            assertEquals("journal full: LMDB map size 1 MiB exhausted (vnetd.lmdb.map-size)",
                    failed.getCause().getMessage());
            assertEquals(List.of(1L), sequenceNrs(store, "a"));
            assertEquals(List.of(), sequenceNrs(store, "b"));
            assertEquals(0, store.highestSequenceNr("b"));
            assertEquals(List.of(1L), sequenceNrs(store, "c"));
            assertEquals(1, store.counters().failedRequests());

            store.append(List.of(event("b", 1, 100))).join();
            assertEquals(List.of(1L), sequenceNrs(store, "b"));
        }
    }

    /**
     * Two writes of one record queued together: the first is logged, the second refused, and the journal stays
     * whole: a checkpoint applies it, and a record written twice in one write is refused too.
     */
    @Test
    void aRecordWrittenTwiceInOneBatchIsAConflict() {
        try (LmdbStore store = LmdbStore.acquire(TestSupport.settings(dir, 64 << 20))) {
            CompletableFuture<Void> first = store.append(List.of(event("p", 1, 10)));
            CompletableFuture<Void> second = store.append(List.of(event("p", 1, 20)));
            CompletableFuture<Void> twice = store.append(List.of(event("q", 1, 10), event("q", 1, 20)));

            first.join();
            CompletionException conflict = assertThrows(CompletionException.class, second::join);
            assertEquals("journal conflict: record p #1 is already written (two writers for one id?)",
                    conflict.getCause().getMessage());
            CompletionException inOneWrite = assertThrows(CompletionException.class, twice::join);
            assertEquals("journal conflict: record q #1 is already written (two writers for one id?)",
                    inOneWrite.getCause().getMessage());
            store.flush().join();
            assertEquals(0, store.counters().failedCheckpoints());
            assertEquals(10, store.events("p", 1, Long.MAX_VALUE, Integer.MAX_VALUE).getFirst().bytes().length);
            assertEquals(List.of(), sequenceNrs(store, "q"));
        }
    }

    /** A write is read back at once (from memory); a checkpoint puts it into LMDB's file. */
    @Test
    void aWriteIsReadAtOnceAndInLmdbsFileAfterACheckpoint() {
        try (LmdbStore store = LmdbStore.acquire(TestSupport.settings(dir, 64 << 20))) {
            store.append(List.of(event("Netdev|h0", 1, 10))).join();
            assertEquals(List.of(1L), sequenceNrs(store, "Netdev|h0"));
            store.flush().join();

            // A second mapping of the file, as another process would see it. MDB_NOLOCK keeps it off the lock file
            // this process already holds; it is safe here because nothing writes meanwhile.
            try (Env<ByteBuffer> fresh = Env.create().setMaxDbs(5)
                    .open(dir.toFile(), EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOLOCK)) {
                Dbi<ByteBuffer> pids = fresh.openDbi("pids");
                Dbi<ByteBuffer> journal = fresh.openDbi("journal");
                try (Txn<ByteBuffer> txn = fresh.txnRead()) {
                    byte[] name = "Netdev|h0".getBytes(UTF_8);
                    ByteBuffer pid = pids.get(txn, ByteBuffer.allocateDirect(name.length).put(0, name));
                    assertNotNull(pid);
                    ByteBuffer key = ByteBuffer.allocateDirect(16).putLong(0, pid.getLong(0)).putLong(8, 1);
                    ByteBuffer value = journal.get(txn, key);
                    assertNotNull(value);
                    byte[] stored = new byte[value.remaining() - 8];
                    value.get(8, stored);
                    assertArrayEquals(event("Netdev|h0", 1, 10).bytes(), stored);
                }
            }
        }
    }

    /**
     * Readers merge what waits in memory over what LMDB holds while checkpoints keep moving writes from one to the
     * other: every read sees an unbroken run of events, never one twice, and never an older snapshot than before.
     */
    @Test
    void readsStayWholeWhileCheckpointsMoveWritesIntoLmdb() throws Exception {
        LmdbSettings settings = new LmdbSettings("vnetd.lmdb", dir, 256L << 20, 126, 2, 1024, 1 << 20,
                java.time.Duration.ofMillis(1), 16 << 20);
        try (LmdbStore store = LmdbStore.acquire(settings)) {
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            CompletableFuture<Integer> reads = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                long lastSnapshot = 0;
                while (writing.get()) {
                    long highest = store.highestSequenceNr("p");
                    List<Long> seqs = sequenceNrs(store, "p");
                    for (int i = 1; i < seqs.size(); i++) {
                        assertEquals(seqs.get(i - 1) + 1, seqs.get(i), () -> "a gap or a repeat in " + seqs);
                    }
                    assertTrue(seqs.isEmpty() || seqs.getLast() >= highest, highest + " then " + seqs);
                    long snapshot = store.loadSnapshot("p", org.apache.pekko.persistence.SnapshotSelectionCriteria.latest())
                            .map(StoredSnapshot::sequenceNr).orElse(0L);
                    assertTrue(snapshot >= lastSnapshot && snapshot % 100 == 0, lastSnapshot + " then " + snapshot);
                    lastSnapshot = snapshot;
                    n++;
                }
                return n;
            });
            for (long seq = 1; seq <= 3_000; seq++) {
                store.append(List.of(event("p", seq, 50))).join();
                if (seq % 100 == 0) {
                    store.saveSnapshot(new StoredSnapshot("p", seq, seq, BYTES_SERIALIZER, new byte[20])).join();
                    store.deleteSnapshots("p", new org.apache.pekko.persistence.SnapshotSelectionCriteria(
                            seq - 200, Long.MAX_VALUE, 0, 0)).join();
                }
                if (seq % 500 == 0) {
                    store.deleteEvents("p", seq - 200).join();
                }
            }
            writing.set(false);
            assertTrue(reads.join() > 10, "reads made");
            assertTrue(store.counters().checkpoints() > 10, store.counters().toString());
            assertEquals(List.of(2_801L, 3_000L), List.of(sequenceNrs(store, "p").getFirst(), sequenceNrs(store, "p").getLast()));
        }
    }

    @Test
    void oneEnvironmentPerDirectoryClosedByItsLastUser() {
        LmdbSettings settings = TestSupport.settings(dir, 64 << 20);
        LmdbStore first = LmdbStore.acquire(settings);
        LmdbStore second = LmdbStore.acquire(settings);
        assertSame(first, second);

        first.close();
        second.append(List.of(event("p", 1, 10))).join();
        assertEquals(1, second.highestSequenceNr("p"));
        second.close();

        CompletionException closed = assertThrows(CompletionException.class,
                () -> second.append(List.of(event("p", 2, 10))).join());
        assertTrue(closed.getCause().getMessage().endsWith(" is closed"), closed.getCause().getMessage());
        assertThrows(CompletionException.class, () -> second.read(() -> 1).join());

        try (LmdbStore reopened = LmdbStore.acquire(settings)) {
            assertNotSame(second, reopened);
            assertEquals(1, reopened.highestSequenceNr("p"));
        }
    }

    @Test
    void anUnusableDirectoryIsNamedInTheError() throws Exception {
        Path file = Files.createFile(dir.resolve("file"));
        Path journalDir = file.resolve("journal");

        JournalException e = assertThrows(JournalException.class,
                () -> LmdbStore.acquire(TestSupport.settings(journalDir, 64 << 20)));
        assertTrue(e.getMessage().startsWith("cannot use journal directory " + journalDir), e.getMessage());
    }

    @Test
    void aVerifyScanReportsEveryBadRecordAcrossTransactions() {
        LmdbSettings settings = TestSupport.settings(dir, 64 << 20);
        try (LmdbStore store = LmdbStore.acquire(settings)) {
            List<StoredEvent> many = new ArrayList<>();
            for (long seq = 1; seq <= 25_000; seq++) {
                many.add(event("p", seq, 20));
            }
            store.append(many).join();
        }
        TestSupport.corruptRecord(dir, 7);
        TestSupport.corruptRecord(dir, 24_999);

        try (LmdbStore store = LmdbStore.acquire(settings)) {
            List<Long> good = new ArrayList<>();
            List<String> bad = new ArrayList<>();
            store.scan(new LmdbStore.Visitor() {
                @Override
                public void event(StoredEvent event) {
                    good.add(event.sequenceNr());
                }

                @Override
                public void snapshot(StoredSnapshot snapshot) {
                    throw new AssertionError(snapshot);
                }

                @Override
                public void corrupt(JournalCorruptException problem) {
                    bad.add(problem.getMessage());
                }
            });
            assertEquals(24_998, good.size());
            assertEquals(List.of("journal corrupt: record p #7 failed its checksum",
                    "journal corrupt: record p #24999 failed its checksum"), bad);
        }
    }
}
