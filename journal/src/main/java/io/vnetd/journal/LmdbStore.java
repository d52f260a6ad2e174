package io.vnetd.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;

/**
 * The LMDB environment and write-ahead log of one directory, holding the journal and the snapshots. The journal
 * plugin, the snapshot store plugin, the read journal and the verifier share it: {@link #acquire} opens it once per
 * directory in this JVM and {@link #close} closes it when its last user lets go ({@link StoreRegistry}).
 *
 * <p>This class only puts together the parts that do the work, each explained where it is written:
 * <ul>
 * <li>{@link RecordLayout}: LMDB's five databases, their keys and values, checksums, persistence id numbers.
 * <li>{@link GroupCommitWriter}: the one writer thread; a batch of requests is checked, logged in the
 *     {@link WriteAheadLog} as one group with one flush, kept in the {@link Overlay} and answered.
 * <li>{@link Checkpointer}: applies what the overlay holds to LMDB now and then, in one durable transaction, and cuts
 *     the log; at open, replays the log into LMDB.
 * <li>{@link MergedReads}: reads on a pool, merging the overlay over LMDB.
 * <li>{@link StoreScan}: the verifier's full scan of LMDB.
 * </ul>
 * No write is answered before it is durable in the log; LMDB catches up at checkpoints, and after a crash when the
 * store is opened again.
 */
public final class LmdbStore implements AutoCloseable {

    private final LmdbSettings settings;
    private final Path dir;
    private final Env<ByteBuffer> env;
    private final RecordLayout layout;
    private final Overlay overlay = new Overlay();
    private final Checkpointer checkpointer;
    private final MergedReads reads;
    private final GroupCommitWriter writer;
    private final StoreScan scan;

    /**
     * Totals since the store was opened: groups logged, write requests and events logged, requests that failed,
     * checkpoints written to LMDB and checkpoints that failed (retried at the next one; the log keeps the writes).
     */
    public record Counters(long commits, long requests, long events, long failedRequests, long checkpoints,
                           long failedCheckpoints) {}

    /**
     * Visits the records of a {@link #scan}. A record that fails its checksum goes to {@link #corrupt}, and so does one
     * that {@link #event} or {@link #snapshot} rejects by throwing a {@link JournalCorruptException}.
     */
    public interface Visitor {
        void event(StoredEvent event);

        void snapshot(StoredSnapshot snapshot);

        void corrupt(JournalCorruptException problem);
    }

    /** Opens the store of {@code dir}, a real path whose lock the {@link StoreRegistry} holds. */
    LmdbStore(LmdbSettings settings, Path dir) {
        this.settings = settings;
        this.dir = dir;
        LmdbNativeLibrary.prepare();
        try {
            env = Env.create()
                    .setMapSize(settings.mapSize())
                    .setMaxDbs(5)
                    .setMaxReaders(settings.maxReaders())
                    .open(dir.toFile(), EnvFlags.MDB_NOTLS); // read transactions not tied to a thread (see MergedReads)
        } catch (RuntimeException e) {
            throw openFailure(e);
        }
        try {
            env.readerCheck(); // frees reader slots left by crashed processes
            layout = new RecordLayout(env, dir);
            checkpointer = new Checkpointer(settings, dir, env, layout, overlay);
        } catch (IOException | RuntimeException e) {
            env.close();
            throw openFailure(e);
        }
        reads = new MergedReads(settings, dir, env, layout, overlay);
        writer = new GroupCommitWriter(settings, dir, env, overlay, checkpointer, reads, layout.maxKeySize());
        scan = new StoreScan(env, layout);
    }

    private JournalException openFailure(Exception e) {
        return e instanceof JournalException j ? j
                : new JournalException("cannot open the LMDB journal in " + dir + ": " + e.getMessage(), e);
    }

    /**
     * The store of {@code settings.dir()}, opened (and the directory created) if no one in this JVM has it open.
     * Every call must be matched by one {@link #close}. When the directory is already open, its first settings apply.
     */
    public static LmdbStore acquire(LmdbSettings settings) {
        return StoreRegistry.acquire(settings);
    }

    /** Lets go of the store; the last user stops the writer after the queued writes, waits for reads and closes LMDB. */
    @Override
    public void close() {
        StoreRegistry.release(this, dir);
    }

    /** The last user's close, in that order: writes, then reads, then checkpoints, then LMDB itself. */
    void shutDown() {
        writer.close();
        reads.close();
        checkpointer.close();
        env.close();
    }

    public LmdbSettings settings() {
        return settings;
    }

    public Counters counters() {
        return new Counters(writer.commits(), writer.requests(), writer.events(), writer.failedRequests(),
                checkpointer.checkpoints(), checkpointer.failedCheckpoints());
    }

    // ---- writes: queued for the writer thread ------------------------------------------------------------------

    /** Appends the events atomically; the future completes once they are durable. */
    public CompletableFuture<Void> append(List<StoredEvent> toAppend) {
        return writer.submit(new StoreWrite.Append(toAppend, new CompletableFuture<>()));
    }

    CompletableFuture<Void> deleteEvents(String persistenceId, long toSequenceNr) {
        return writer.submit(new StoreWrite.DeleteEvents(persistenceId, toSequenceNr, new CompletableFuture<>()));
    }

    CompletableFuture<Void> saveSnapshot(StoredSnapshot snapshot) {
        return writer.submit(new StoreWrite.PutSnapshot(snapshot, new CompletableFuture<>()));
    }

    CompletableFuture<Void> deleteSnapshots(String persistenceId, SnapshotSelectionCriteria criteria) {
        return writer.submit(new StoreWrite.DeleteSnapshots(persistenceId, criteria, new CompletableFuture<>()));
    }

    /**
     * Completes once everything written before it is in LMDB (a checkpoint), for readers of LMDB alone such as
     * {@link #scan}.
     */
    CompletableFuture<Void> flush() {
        return writer.flush();
    }

    /** Rejects ids LMDB cannot use as a key. */
    void checkPersistenceId(String persistenceId) {
        layout.checkPersistenceId(persistenceId);
    }

    // ---- reads: on any thread, usually through read() --------------------------------------------------------

    /** Runs a read on the read pool. Failures complete the future as thrown, not wrapped. */
    public <T> CompletableFuture<T> read(Supplier<T> query) {
        return reads.read(query);
    }

    /** The highest sequence number ever written for the id, deleted or not; 0 if none. */
    public long highestSequenceNr(String persistenceId) {
        return reads.highestSequenceNr(persistenceId);
    }

    /** The highest sequence number of each id (as {@link #highestSequenceNr}), read in one transaction. */
    public long[] highestSequenceNrs(List<String> persistenceIds) {
        return reads.highestSequenceNrs(persistenceIds);
    }

    /**
     * Passes the events of {@code from..to} (inclusive, at most {@code max}) to {@code sink} in order: those in LMDB,
     * read in one transaction, then those still pending.
     */
    public void replay(String persistenceId, long from, long to, long max, Consumer<StoredEvent> sink) {
        reads.replay(persistenceId, from, to, max, sink);
    }

    /** Up to {@code limit} events of {@code from..to}, for paging without holding a transaction. */
    public List<StoredEvent> events(String persistenceId, long from, long to, int limit) {
        return reads.events(persistenceId, from, to, limit);
    }

    /** Up to {@code limit} persistence ids after {@code after} (all from the first if empty), in UTF-8 byte order. */
    public List<String> persistenceIds(String after, int limit) {
        return reads.persistenceIds(after, limit);
    }

    /** The youngest snapshot matching the criteria (sequence number and timestamp bounds, inclusive). */
    public Optional<StoredSnapshot> loadSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        return reads.loadSnapshot(persistenceId, criteria);
    }

    /**
     * Visits every event, then every snapshot, in key order and checks each checksum, after a checkpoint has brought
     * LMDB up to date with every write made before.
     */
    public void scan(Visitor visitor) {
        flush().join();
        scan.run(visitor);
    }
}
