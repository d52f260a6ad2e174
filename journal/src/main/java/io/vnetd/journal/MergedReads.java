package io.vnetd.journal;

import static io.vnetd.journal.RecordLayout.direct;
import static io.vnetd.journal.RecordLayout.key;
import static io.vnetd.journal.RecordLayout.pidNoOf;
import static io.vnetd.journal.RecordLayout.sequenceNrOf;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.lmdbjava.GetOp.MDB_SET_RANGE;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.lmdbjava.Cursor;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * Reads that see every answered write: the {@link Overlay}'s pending writes merged over what LMDB holds. Each takes
 * the overlay's view first and LMDB second, so a write that a checkpoint moves in between is seen in both and read
 * once. Reads run on a small pool ({@link #read}), in MVCC read transactions (MDB_NOTLS: not tied to a thread), and
 * never wait for the writer; the writer's own checks use the same merge in its transaction.
 */
final class MergedReads implements AutoCloseable {

    private final Path dir;
    private final Env<ByteBuffer> env;
    private final RecordLayout layout;
    private final Overlay overlay;
    private final ExecutorService readers;

    MergedReads(LmdbSettings settings, Path dir, Env<ByteBuffer> env, RecordLayout layout, Overlay overlay) {
        this.dir = dir;
        this.env = env;
        this.layout = layout;
        this.overlay = overlay;
        readers = Executors.newFixedThreadPool(settings.readThreads(),
                Thread.ofPlatform().name("vnetd-lmdb-reader-", 0).daemon().factory());
    }

    /** Runs a read on the read pool. Failures complete the future as thrown, not wrapped. */
    <T> CompletableFuture<T> read(Supplier<T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                try {
                    result.complete(query.get());
                } catch (Throwable t) { // like supplyAsync: never leave the future pending
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(StoreRegistry.closed(dir));
        }
        return result;
    }

    /** Waits for the reads under way; later ones fail as closed. */
    @Override
    public void close() {
        readers.close();
    }

    long highestSequenceNr(String persistenceId) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            return highestSequenceNr(txn, persistenceId, ByteBuffer.allocateDirect(16));
        }
    }

    /** The highest sequence number of each id, in one transaction with one cursor. */
    long[] highestSequenceNrs(List<String> persistenceIds) {
        long[] highest = new long[persistenceIds.size()];
        ByteBuffer keyBuffer = ByteBuffer.allocateDirect(16);
        try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = layout.journal().openCursor(txn)) {
            for (int i = 0; i < highest.length; i++) {
                highest[i] = highestSequenceNr(txn, c, persistenceIds.get(i), keyBuffer);
            }
        }
        return highest;
    }

    /** In the caller's transaction, with its key buffer (16 bytes). */
    long highestSequenceNr(Txn<ByteBuffer> txn, String persistenceId, ByteBuffer keyBuffer) {
        try (Cursor<ByteBuffer> c = layout.journal().openCursor(txn)) {
            return highestSequenceNr(txn, c, persistenceId, keyBuffer);
        }
    }

    private long highestSequenceNr(Txn<ByteBuffer> txn, Cursor<ByteBuffer> c, String persistenceId,
                                   ByteBuffer keyBuffer) {
        long pending = overlay.view(persistenceId).stream().mapToLong(Overlay.Pending::highestSequenceNr).max().orElse(0);
        RecordLayout.PidEntry pid = layout.lookup(txn, persistenceId);
        if (pid == null) {
            return pending;
        }
        return Math.max(pending, Math.max(RecordLayout.lastSequenceNr(c, pid.no(), keyBuffer), pid.deletedTo()));
    }

    /**
     * Whether the event's record is written, pending or in LMDB: the writer's conflict check, in its transaction and
     * with its buffers (16 bytes for the key, {@link RecordLayout#maxKeySize} for the name), so it allocates nothing.
     */
    boolean isWritten(Txn<ByteBuffer> txn, StoredEvent e, ByteBuffer keyBuffer, ByteBuffer nameBuffer) {
        for (Overlay.Pending p : overlay.view(e.persistenceId())) {
            if (p.events().contains(e.sequenceNr())) {
                return true;
            }
        }
        RecordLayout.PidEntry pid = layout.lookup(txn, e.persistenceId(), nameBuffer);
        return pid != null && layout.journal().get(txn, key(keyBuffer, pid.no(), e.sequenceNr())) != null;
    }

    /**
     * Passes the events of {@code from..to} (inclusive, at most {@code max}) to {@code sink} in order: those in LMDB,
     * read in one transaction, then those still pending.
     */
    void replay(String persistenceId, long from, long to, long max, Consumer<StoredEvent> sink) {
        if (max <= 0 || from > to) {
            return;
        }
        List<Overlay.Pending> view = overlay.view(persistenceId);
        long deletedTo = view.stream().mapToLong(Overlay.Pending::deletedTo).max().orElse(0);
        long start = Math.max(from, deletedTo + 1);
        long n = 0;
        long last = start - 1;
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            RecordLayout.PidEntry pid = layout.lookup(txn, persistenceId);
            if (pid != null) {
                try (Cursor<ByteBuffer> c = layout.journal().openCursor(txn)) {
                    boolean more = c.get(key(ByteBuffer.allocateDirect(16), pid.no(), Math.max(start, 1)), MDB_SET_RANGE);
                    while (more && n < max && pidNoOf(c.key()) == pid.no() && sequenceNrOf(c.key()) <= to) {
                        StoredEvent e = RecordLayout.decodeEvent(persistenceId, c.key(), c.val());
                        sink.accept(e);
                        n++;
                        last = e.sequenceNr();
                        more = c.next();
                    }
                }
            }
        }
        if (last >= to) {
            return;
        }
        for (Overlay.Pending p : view) { // the frozen generation's, then the active one's
            Overlay.EventRun run = p.events();
            // from after the last event passed on: one a checkpoint moved into LMDB meanwhile comes once
            for (int i = run.indexOf(Math.max(last + 1, start)); i < run.count(); i++) {
                StoredEvent e = run.array()[i];
                if (e.sequenceNr() > to || n++ >= max) {
                    return;
                }
                sink.accept(e);
                last = e.sequenceNr();
            }
        }
    }

    List<StoredEvent> events(String persistenceId, long from, long to, int limit) {
        List<StoredEvent> page = new ArrayList<>(Math.min(limit, 1024));
        replay(persistenceId, from, to, limit, page::add);
        return page;
    }

    List<String> persistenceIds(String after, int limit) {
        List<String> page = new ArrayList<>();
        try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = layout.pids().openCursor(txn)) {
            boolean more;
            if (after.isEmpty()) {
                more = c.first();
            } else {
                ByteBuffer start = direct(after.getBytes(UTF_8));
                more = c.get(start, MDB_SET_RANGE) && (!c.key().equals(start) || c.next());
            }
            for (int n = 0; more && n < limit; n++) {
                page.add(UTF_8.decode(c.key()).toString());
                more = c.next();
            }
        }
        List<String> created = overlay.createdIdsAfter(after);
        if (created.isEmpty()) { // LMDB's keys are in order already: no merge (a start lists every id)
            return page;
        }
        TreeSet<String> merged = new TreeSet<>(Overlay::compareUtf8);
        merged.addAll(created);
        merged.addAll(page);
        return merged.stream().limit(limit).toList();
    }

    /**
     * The youngest snapshot matching the criteria: while snapshot writes of the id are pending, among its stored
     * snapshots with those writes replayed onto them; else straight from LMDB.
     */
    Optional<StoredSnapshot> loadSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        List<Overlay.Pending> view = overlay.view(persistenceId);
        if (view.stream().allMatch(p -> p.snapshotWrites().isEmpty())) {
            return loadStoredSnapshot(persistenceId, criteria);
        }
        NavigableMap<Long, StoredSnapshot> all = new TreeMap<>();
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            RecordLayout.PidEntry pid = layout.lookup(txn, persistenceId);
            if (pid != null) {
                try (Cursor<ByteBuffer> c = layout.snapshots().openCursor(txn)) {
                    boolean more = c.get(key(ByteBuffer.allocateDirect(16), pid.no(), 0), MDB_SET_RANGE);
                    while (more && pidNoOf(c.key()) == pid.no()) {
                        StoredSnapshot s = RecordLayout.decodeSnapshot(persistenceId, c.key(), c.val());
                        all.put(s.sequenceNr(), s);
                        more = c.next();
                    }
                }
            }
        }
        Overlay.applySnapshotWrites(view, all);
        return all.descendingMap().values().stream().filter(s -> Overlay.matches(s, criteria)).findFirst();
    }

    /** The youngest matching snapshot in LMDB, found walking back from the newest the criteria allow. */
    private Optional<StoredSnapshot> loadStoredSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            RecordLayout.PidEntry pid = layout.lookup(txn, persistenceId);
            if (pid == null) {
                return Optional.empty();
            }
            try (Cursor<ByteBuffer> c = layout.snapshots().openCursor(txn)) {
                ByteBuffer key = key(ByteBuffer.allocateDirect(16), pid.no(), criteria.maxSequenceNr());
                boolean more = RecordLayout.seekAtMost(c, key);
                while (more && pidNoOf(c.key()) == pid.no() && sequenceNrOf(c.key()) >= criteria.minSequenceNr()) {
                    StoredSnapshot s = RecordLayout.decodeSnapshot(persistenceId, c.key(), c.val());
                    if (Overlay.matches(s, criteria)) {
                        return Optional.of(s);
                    }
                    more = c.prev();
                }
                return Optional.empty();
            }
        }
    }
}
