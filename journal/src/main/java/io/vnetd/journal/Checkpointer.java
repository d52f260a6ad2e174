package io.vnetd.journal;

import static io.vnetd.journal.RecordLayout.direct;
import static io.vnetd.journal.RecordLayout.key;
import static io.vnetd.journal.RecordLayout.pidNoOf;
import static io.vnetd.journal.RecordLayout.sequenceNrOf;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.lmdbjava.GetOp.MDB_SET_RANGE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings LMDB up to date with the {@link WriteAheadLog}, so that the log can be cut. LMDB is not written when a write
 * is answered: every {@code checkpoint-interval} (or sooner, after {@code checkpoint-growth} bytes) the writer thread
 * has the overlay's active generation frozen and the checkpoint thread applies it to LMDB in one durable transaction,
 * which also records in {@code meta} the log sequence it holds up to ({@code log-next}); then readers forget the
 * generation and the log segments it covers are deleted. A durable LMDB commit writes every page it changes and
 * flushes twice; one per checkpoint, instead of one per group, costs little.
 *
 * <p>Opening a store replays the log from {@code log-next} into LMDB the same way, before the log is started again,
 * so after a crash every answered write is back.
 *
 * <p>Threads: the opening thread recovers; then the writer thread says when ({@link #startIfDue}, {@link #runNow},
 * {@link #finish}) and the checkpoint thread applies. Between checkpoints that thread also keeps a spare log segment
 * ready, and after each it measures LMDB's free space for the writer's journal-full check ({@link #fits}).
 */
final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

    private final LmdbSettings settings;
    private final Path dir;
    private final Env<ByteBuffer> env;
    private final RecordLayout layout;
    private final Overlay overlay;
    private final WriteAheadLog wal;
    private final long pageSize;
    private final long intervalNanos;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("vnetd-lmdb-checkpoint").daemon().factory());
    /** LMDB's free space after the last checkpoint, pages freed inside its file included. */
    private volatile long freeBytes;
    private final AtomicLong checkpoints = new AtomicLong();
    private final AtomicLong failedCheckpoints = new AtomicLong();

    // Writer thread only.
    private Future<?> running;
    private long lastStartNanos = System.nanoTime();

    // Checkpoint thread only (and the opening thread before it).
    private final Map<String, Long> pidNos = new HashMap<>(); // cleared when a transaction aborts
    private final ByteBuffer wKey = ByteBuffer.allocateDirect(16);
    private final ByteBuffer wPidNo = ByteBuffer.allocateDirect(8);
    private final ByteBuffer wPidEntry = ByteBuffer.allocateDirect(16);

    /** Opening thread: recovers LMDB from the log in {@code dir}, then starts the log after the groups recovered. */
    Checkpointer(LmdbSettings settings, Path dir, Env<ByteBuffer> env, RecordLayout layout, Overlay overlay)
            throws IOException {
        this.settings = settings;
        this.dir = dir;
        this.env = env;
        this.layout = layout;
        this.overlay = overlay;
        pageSize = env.stat().pageSize;
        intervalNanos = settings.checkpointInterval().toNanos();
        Path walDir = WriteAheadLog.directory(dir);
        long nextSequence = recover(walDir);
        wal = WriteAheadLog.start(walDir, settings.logSegmentSize(), nextSequence);
        wal.deleteSegmentsBefore(wal.segmentNo()); // recovered into LMDB
        freeBytes = measureFreeBytes();
        // Counted as the running task, so that a close right after opening waits for it before deleting the log.
        running = thread.submit(this::prepareSpare);
    }

    /** Applies the log's groups that LMDB lacks, in one durable transaction; returns the sequence after them. */
    private long recover(Path walDir) throws IOException {
        long[] replayed = new long[2];
        long next;
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            next = WriteAheadLog.replay(walDir, layout.logNext(txn), group -> {
                for (StoreWrite write : group) {
                    replayed[1] += apply(txn, write);
                }
                replayed[0]++;
            });
            layout.putLogNext(txn, next);
            txn.commit();
        }
        if (replayed[0] > 0) {
            log.info("journal in {} recovered from its log: {} group(s), {} event(s)", dir, replayed[0], replayed[1]);
        }
        return next;
    }

    /** The log, started after recovery, that the writer appends to and checkpoints cut. */
    WriteAheadLog log() {
        return wal;
    }

    /** Checkpoints written to LMDB since the store was opened. */
    long checkpoints() {
        return checkpoints.get();
    }

    /** Checkpoints that failed (retried at the next one; the log keeps the writes). */
    long failedCheckpoints() {
        return failedCheckpoints.get();
    }

    /** Whether {@code bytes} more, besides what is pending, fit in LMDB: twice the data, B-tree pages not being full. */
    boolean fits(long bytes) {
        return 2 * (overlay.pendingBytes() + bytes) + 16 * pageSize <= freeBytes;
    }

    /** Writer thread: starts a checkpoint once the interval has passed or enough writes wait for one. */
    void startIfDue() {
        if (System.nanoTime() - lastStartNanos >= intervalNanos || overlay.activeBytes() >= settings.checkpointGrowth()) {
            start();
        }
    }

    /** Writer thread: freezes what is pending and applies it to LMDB on the checkpoint thread, unless a checkpoint is running. */
    private void start() {
        if (running != null && !running.isDone()) {
            return;
        }
        lastStartNanos = System.nanoTime();
        Overlay.Generation frozen = overlay.frozen();
        if (frozen == null) {
            frozen = overlay.freeze(wal.segmentNo());
        }
        if (frozen != null) {
            Overlay.Generation generation = frozen;
            running = thread.submit(() -> applyToLmdb(generation));
        }
    }

    /** Writer thread: a checkpoint now, waited for, to make room or to close. */
    void runNow() {
        for (int i = 0; i < 2; i++) { // the running one, then one of everything pending
            awaitRunning();
            running = null;
            start();
        }
        awaitRunning();
    }

    private void awaitRunning() {
        if (running == null) {
            return;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // applyToLmdb reports its own failures
        }
    }

    /** Writer thread, after the last write: everything into LMDB, then the log is no longer needed. */
    void finish() {
        runNow();
        if (overlay.pendingBytes() == 0) {
            try {
                wal.deleteAll();
            } catch (IOException e) {
                log.warn("cannot delete the journal log in {} (the next open replays it): {}", dir, e.toString());
            }
        }
    }

    /** Waits for a running checkpoint and stops the thread. */
    @Override
    public void close() {
        thread.close();
    }

    /**
     * Checkpoint thread: applies a frozen generation to LMDB in one durable transaction, with the log sequence it
     * holds up to, then lets readers forget it and deletes the log segments it covers. A failure (a map too small)
     * leaves it frozen and logged; the next checkpoint retries it.
     */
    private void applyToLmdb(Overlay.Generation generation) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (StoreWrite write : generation.writes()) {
                apply(txn, write);
            }
            layout.putLogNext(txn, generation.nextSequence());
            txn.commit();
        } catch (RuntimeException e) {
            pidNos.clear(); // numbers given out in the aborted transaction
            failedCheckpoints.incrementAndGet();
            log.error("journal checkpoint failed in {}: {}; the writes stay in the log and in memory, and the next "
                    + "checkpoint retries", dir, writeFailure(e).getMessage());
            return;
        }
        overlay.applied();
        freeBytes = measureFreeBytes();
        checkpoints.incrementAndGet();
        try {
            wal.deleteSegmentsBefore(generation.segmentNo());
        } catch (IOException e) {
            log.warn("journal log segments in {} not cut: {}", dir, e.toString());
        }
        prepareSpare();
    }

    /** Checkpoint thread: a spare log segment ready, so that the writer seldom writes one itself. */
    private void prepareSpare() {
        try {
            wal.prepareSpare();
        } catch (IOException e) {
            log.warn("no spare journal log segment in {} (the writer will make one): {}", dir, e.toString());
        }
    }

    /** The map's bytes not used by LMDB's trees: beyond the file's last page, and pages freed inside it. */
    private long measureFreeBytes() {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            return Math.max(0, settings.mapSize() - layout.usedPages(txn) * pageSize);
        }
    }

    private JournalException writeFailure(RuntimeException e) {
        return switch (e) {
            case JournalException j -> j;
            case Env.MapFullException full -> GroupCommitWriter.journalFull(settings, full);
            default -> new JournalException("journal write failed in " + dir + ": " + e, e);
        };
    }

    // ---- applying a request: the checkpoint thread's buffers, so no allocation per record ----------------------

    /** Applies one request; returns the number of events it appended. */
    private int apply(Txn<ByteBuffer> txn, StoreWrite write) {
        switch (write) {
            case StoreWrite.Append a -> {
                for (StoredEvent e : a.events()) {
                    putEvent(txn, pidNo(txn, e.persistenceId()), e);
                }
                return a.events().size();
            }
            case StoreWrite.DeleteEvents d -> deleteEvents(txn, d.persistenceId(), d.toSequenceNr());
            case StoreWrite.PutSnapshot p -> putSnapshot(txn, p.snapshot());
            case StoreWrite.DeleteSnapshots d -> deleteSnapshots(txn, d.persistenceId(), d.criteria());
        }
        return 0;
    }

    private void putEvent(Txn<ByteBuffer> txn, long pidNo, StoredEvent e) {
        try {
            layout.putEvent(txn, key(wKey, pidNo, e.sequenceNr()), e);
        } catch (Dbi.KeyExistsException x) {
            throw GroupCommitWriter.conflict(e, x);
        }
    }

    private void putSnapshot(Txn<ByteBuffer> txn, StoredSnapshot s) {
        layout.putSnapshot(txn, key(wKey, pidNo(txn, s.persistenceId()), s.sequenceNr()), s);
    }

    private void deleteEvents(Txn<ByteBuffer> txn, String persistenceId, long toSequenceNr) {
        ByteBuffer name = direct(persistenceId.getBytes(UTF_8));
        RecordLayout.PidEntry pid = layout.pidEntry(txn, name);
        if (pid == null) {
            return;
        }
        try (Cursor<ByteBuffer> c = layout.journal().openCursor(txn)) {
            long to = Math.min(toSequenceNr, Math.max(RecordLayout.lastSequenceNr(c, pid.no(), wKey), pid.deletedTo()));
            if (to <= pid.deletedTo()) {
                return;
            }
            boolean more = c.get(key(wKey, pid.no(), 1), MDB_SET_RANGE);
            while (more && pidNoOf(c.key()) == pid.no() && sequenceNrOf(c.key()) <= to) {
                c.delete(); // leaves the cursor on the next record, which next() then returns
                more = c.next();
            }
            layout.putDeletedTo(txn, name, pid.no(), to, wPidEntry);
        }
    }

    private void deleteSnapshots(Txn<ByteBuffer> txn, String persistenceId, SnapshotSelectionCriteria criteria) {
        RecordLayout.PidEntry pid = layout.pidEntry(txn, direct(persistenceId.getBytes(UTF_8)));
        if (pid == null) {
            return;
        }
        try (Cursor<ByteBuffer> c = layout.snapshots().openCursor(txn)) {
            boolean more = c.get(key(wKey, pid.no(), Math.max(criteria.minSequenceNr(), 1)), MDB_SET_RANGE);
            while (more && pidNoOf(c.key()) == pid.no() && sequenceNrOf(c.key()) <= criteria.maxSequenceNr()) {
                long timestamp = RecordLayout.snapshotTimestamp(c.val());
                if (timestamp >= criteria.minTimestamp() && timestamp <= criteria.maxTimestamp()) {
                    c.delete();
                }
                more = c.next();
            }
        }
    }

    /** The number of a persistence id, given out (in this transaction) if it has none. */
    private long pidNo(Txn<ByteBuffer> txn, String persistenceId) {
        Long known = pidNos.get(persistenceId);
        if (known != null) {
            return known;
        }
        ByteBuffer name = direct(persistenceId.getBytes(UTF_8));
        RecordLayout.PidEntry pid = layout.pidEntry(txn, name);
        long no = pid != null ? pid.no() : layout.newPidNo(txn, name, wPidNo, wPidEntry);
        pidNos.put(persistenceId, no);
        return no;
    }
}
