package io.vnetd.journal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.lmdbjava.DbiFlags.MDB_CREATE;
import static org.lmdbjava.GetOp.MDB_SET_RANGE;
import static org.lmdbjava.PutFlags.MDB_NOOVERWRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LMDB environment of one directory, holding the journal and the snapshots. The journal plugin, the snapshot
 * store plugin and the read journal share it: {@link #acquire} opens it once per directory in this JVM (LMDB must not
 * be opened twice by one process) and {@link #close} closes it when its last user lets go.
 *
 * <h2>Layout</h2>
 * Five named databases. Integers are big-endian, so keys sort by number.
 * <pre>
 * meta       "format"                        -> int32 storage format, {@value #FORMAT}
 *            "log-next"                      -> int64 sequence of the first log group LMDB does not hold
 * pids       persistence id (UTF-8)          -> pidNo int64, deletedTo int64
 * pid-names  pidNo int64                     -> persistence id (UTF-8)
 * journal    pidNo int64, sequenceNr int64   -> crc32c int32, serializerId int32, bytes
 * snapshots  pidNo int64, sequenceNr int64   -> crc32c int32, serializerId int32, timestamp int64, bytes
 * </pre>
 * <ul>
 * <li>{@code pidNo} is a number given to a persistence id on its first write, so record keys are 16 bytes however
 *     long the id (LMDB keys are at most 511 bytes) and one id's records are adjacent, in sequence order.
 * <li>{@code deletedTo} is the highest sequence number removed by deleteMessagesTo. The highest sequence number of an
 *     id is the larger of it and the last key, so it survives the deletion of every event.
 * <li>journal {@code bytes} is a PersistentRepr serialized by Pekko's protobuf MessageSerializer (which stores the
 *     payload with its own serializer id and manifest); snapshot {@code bytes} is a Pekko Snapshot serialized by its
 *     SnapshotSerializer. {@code serializerId} names the serializer that wrote them; neither uses a manifest.
 * <li>{@code crc32c} covers the key and the rest of the value, so damage, or a value under the wrong key, is found.
 * </ul>
 *
 * <h2>Threads and durability: a write-ahead log, LMDB written at checkpoints</h2>
 * One writer thread takes every queued request, checks it (a record already written, a store that would be full),
 * appends the accepted ones to the {@link WriteAheadLog} as one group and flushes the log once (group commit: one
 * sequential write and one flush for many writers), adds them to the in-memory {@link Overlay} and completes their
 * futures. A request is atomic and fails alone. LMDB is not written on that path: every {@code checkpoint-interval}
 * (or sooner, after {@code checkpoint-growth} bytes) a checkpoint thread applies the overlay's frozen generation to
 * LMDB in one durable transaction, which also records in {@code meta} the log sequence it holds up to
 * ({@code log-next}), and then deletes the log segments it covers. A durable LMDB commit writes every page it
 * changes and flushes twice; one per checkpoint, instead of one per group, costs little.
 * Reads run on a small pool in MVCC read transactions (MDB_NOTLS: not tied to a thread), merge the overlay over what
 * LMDB holds, and never wait for the writer; {@link #scan} reads LMDB alone, after a checkpoint.
 *
 * <p>Opening a store replays the log from {@code log-next} into LMDB, so after a crash every answered write is back.
 * A group whose log write or flush fails may or may not be on disk: the store then refuses every further write
 * (answers are never promised for what may be lost) until it is reopened. No future completes before its group is
 * durable. The store takes {@code wal/lock}: one process at a time may open a directory.
 */
public final class LmdbStore implements AutoCloseable {

    private static final int FORMAT = 1;
    private static final Logger log = LoggerFactory.getLogger(LmdbStore.class);
    private static final Map<Path, LmdbStore> OPEN = new HashMap<>(); // guarded by itself; users too
    private static final int EVENT_HEADER = 8;
    private static final int SNAPSHOT_HEADER = 16;
    private static final int SCAN_CHUNK = 10_000; // records per read transaction of a full scan
    private static final byte[] LOG_NEXT = "log-next".getBytes(UTF_8);

    private final LmdbSettings settings;
    private final Path dir;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> pids;
    private final Dbi<ByteBuffer> pidNames;
    private final Dbi<ByteBuffer> journal;
    private final Dbi<ByteBuffer> snapshots;
    private final int maxKeySize;
    private final Dbi<ByteBuffer> meta;
    private final Dbi<ByteBuffer> mainDb;
    private final FileChannel lockFile;
    private final WriteAheadLog wal;
    private final Overlay overlay = new Overlay();
    private final ExecutorService checkpointThread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("vnetd-lmdb-checkpoint").daemon().factory());
    private final long pageSize;
    /** LMDB's free space after the last checkpoint, pages freed inside its file included. */
    private volatile long freeBytes;
    private final BlockingQueue<StoreWrite> queue = new LinkedBlockingQueue<>();
    private final StoreWrite stop = new StoreWrite.Append(List.of(), new CompletableFuture<>()); // queued last by close()
    /** Queued to wake the writer for the requests in {@link #flushes}. */
    private final StoreWrite wakeUp = new StoreWrite.Append(List.of(), new CompletableFuture<>());
    private final Queue<CompletableFuture<Void>> flushes = new ConcurrentLinkedQueue<>();
    private final ExecutorService readers;
    private int users;
    private volatile boolean closed;

    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();
    private final AtomicLong checkpoints = new AtomicLong();
    private final AtomicLong failedCheckpoints = new AtomicLong();

    // Writer thread only.
    /** Set when a group could not be logged: it may or may not be on disk, so no write may be answered. */
    private JournalException broken;
    private Future<?> checkpoint;
    private long lastCheckpointNanos = System.nanoTime();
    private final ByteBuffer checkKey = ByteBuffer.allocateDirect(16);
    private final ByteBuffer checkName;

    // Checkpoint thread only (and the opening thread before it).
    private final Map<String, Long> pidNos = new HashMap<>(); // cleared when a transaction aborts
    private final ByteBuffer wKey = ByteBuffer.allocateDirect(16);
    private final ByteBuffer wPidNo = ByteBuffer.allocateDirect(8);
    private final ByteBuffer wPidValue = ByteBuffer.allocateDirect(16);

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

    private record PidEntry(long no, long deletedTo) {}

    private LmdbStore(LmdbSettings settings, Path dir) {
        this.settings = settings;
        this.dir = dir;
        Path walDir = dir.resolve("wal");
        lockFile = lock(walDir);
        try {
            env = Env.create()
                    .setMapSize(settings.mapSize())
                    .setMaxDbs(5)
                    .setMaxReaders(settings.maxReaders())
                    .open(dir.toFile(), EnvFlags.MDB_NOTLS);
        } catch (RuntimeException e) {
            closeQuietly(lockFile);
            throw openFailure(e);
        }
        try {
            env.readerCheck(); // frees reader slots left by crashed processes
            mainDb = env.openDbi((byte[]) null);
            meta = env.openDbi("meta", MDB_CREATE);
            pids = env.openDbi("pids", MDB_CREATE);
            pidNames = env.openDbi("pid-names", MDB_CREATE);
            journal = env.openDbi("journal", MDB_CREATE);
            snapshots = env.openDbi("snapshots", MDB_CREATE);
            checkFormat(meta);
            pageSize = env.stat().pageSize;
            long nextSequence = recover(walDir);
            wal = WriteAheadLog.start(walDir, settings.logSegmentSize(), nextSequence);
            wal.deleteSegmentsBefore(wal.segmentNo()); // recovered into LMDB
            freeBytes = measureFreeBytes();
        } catch (IOException | RuntimeException e) {
            env.close();
            closeQuietly(lockFile);
            throw openFailure(e);
        }
        maxKeySize = env.getMaxKeySize();
        checkName = ByteBuffer.allocateDirect(maxKeySize);
        readers = Executors.newFixedThreadPool(settings.readThreads(),
                Thread.ofPlatform().name("vnetd-lmdb-reader-", 0).daemon().factory());
        checkpointThread.execute(this::prepareSpare);
        Thread.ofPlatform().name("vnetd-lmdb-writer").daemon().start(this::writeLoop);
        log.info("LMDB journal open in {} (map size {})", dir, settings.mapSizeText());
    }

    /** Applies the log's groups that LMDB lacks, in one durable transaction; returns the sequence after them. */
    private long recover(Path walDir) throws IOException {
        long[] replayed = new long[2];
        long next;
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer found = meta.get(txn, direct(LOG_NEXT));
            long from = found == null ? 1 : found.getLong(0);
            next = WriteAheadLog.replay(walDir, from, group -> {
                for (StoreWrite write : group) {
                    replayed[1] += apply(txn, write);
                }
                replayed[0]++;
            });
            meta.put(txn, direct(LOG_NEXT), ByteBuffer.allocateDirect(8).putLong(0, next));
            txn.commit();
        }
        if (replayed[0] > 0) {
            log.info("journal in {} recovered from its log: {} group(s), {} event(s)", dir, replayed[0], replayed[1]);
        }
        return next;
    }

    private static FileChannel lock(Path walDir) {
        try {
            Files.createDirectories(walDir);
            FileChannel channel = FileChannel.open(walDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                channel.close();
                throw new JournalException("the journal in " + walDir.getParent() + " is open in another process");
            }
            return channel;
        } catch (IOException e) {
            throw new JournalException("cannot use journal directory " + walDir.getParent() + ": " + e, e);
        }
    }

    private JournalException openFailure(Exception e) {
        return e instanceof JournalException j ? j
                : new JournalException("cannot open the LMDB journal in " + dir + ": " + e.getMessage(), e);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("cannot close {}: {}", channel, e.toString());
        }
    }

    /**
     * The store of {@code settings.dir()}, opened (and the directory created) if no one in this JVM has it open.
     * Every call must be matched by one {@link #close}. When the directory is already open, its first settings apply.
     */
    public static LmdbStore acquire(LmdbSettings settings) {
        Path dir = prepare(settings.dir());
        synchronized (OPEN) {
            LmdbStore store = OPEN.computeIfAbsent(dir, d -> new LmdbStore(settings, d));
            store.users++;
            return store;
        }
    }

    /** Lets go of the store; the last user stops the writer after the queued writes, waits for reads and closes LMDB. */
    @Override
    public void close() {
        synchronized (OPEN) {
            if (closed || --users > 0) {
                return;
            }
            OPEN.remove(dir);
            closed = true;
            queue.add(stop);
            stop.done().join();
            List<StoreWrite> late = new ArrayList<>();
            queue.drainTo(late);
            late.forEach(w -> w.done().completeExceptionally(closedException()));
            flushes.forEach(f -> f.completeExceptionally(closedException()));
            readers.close();
            checkpointThread.close();
            env.close();
            closeQuietly(lockFile);
        }
        log.info("LMDB journal closed in {}", dir);
    }

    public LmdbSettings settings() {
        return settings;
    }

    public Counters counters() {
        return new Counters(commits.get(), requests.get(), events.get(), failedRequests.get(),
                checkpoints.get(), failedCheckpoints.get());
    }

    // ---- writes: queued for the writer thread ------------------------------------------------------------------

    /** Appends the events atomically; the future completes once they are durable. */
    CompletableFuture<Void> append(List<StoredEvent> toAppend) {
        return submit(new StoreWrite.Append(toAppend, new CompletableFuture<>()));
    }

    CompletableFuture<Void> deleteEvents(String persistenceId, long toSequenceNr) {
        return submit(new StoreWrite.DeleteEvents(persistenceId, toSequenceNr, new CompletableFuture<>()));
    }

    CompletableFuture<Void> saveSnapshot(StoredSnapshot snapshot) {
        return submit(new StoreWrite.PutSnapshot(snapshot, new CompletableFuture<>()));
    }

    CompletableFuture<Void> deleteSnapshots(String persistenceId, SnapshotSelectionCriteria criteria) {
        return submit(new StoreWrite.DeleteSnapshots(persistenceId, criteria, new CompletableFuture<>()));
    }

    /**
     * Completes once everything written before it is in LMDB (a checkpoint), for readers of LMDB alone such as
     * {@link #scan}.
     */
    CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        flushes.add(done);
        queue.add(wakeUp);
        if (closed && flushes.remove(done)) { // close() may have stopped the writer already
            done.completeExceptionally(closedException());
        }
        return done;
    }

    /** Rejects ids LMDB cannot use as a key. */
    void checkPersistenceId(String persistenceId) {
        if (persistenceId.isEmpty()) {
            throw new IllegalArgumentException("empty persistence id");
        }
        if (persistenceId.getBytes(UTF_8).length > maxKeySize) {
            throw new IllegalArgumentException("persistence id longer than " + maxKeySize + " bytes: "
                    + persistenceId.substring(0, 64) + "...");
        }
    }

    private CompletableFuture<Void> submit(StoreWrite write) {
        if (!closed) {
            queue.add(write);
            // close() may have drained the queue between the check and the add; whoever removes it completes it
            if (!closed || !queue.remove(write)) {
                return write.done();
            }
        }
        write.done().completeExceptionally(closedException());
        return write.done();
    }

    private void writeLoop() {
        List<StoreWrite> batch = new ArrayList<>(settings.maxBatch());
        long idleWaitNanos = settings.checkpointInterval().toNanos();
        try {
            boolean stopping = false;
            while (!stopping) {
                // Waking up now and then while idle lets the last writes reach LMDB and the log be cut.
                StoreWrite first = queue.poll(idleWaitNanos, TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, settings.maxBatch() - 1);
                    stopping = batch.removeIf(w -> w == stop);
                    batch.removeIf(w -> w == wakeUp);
                    log(batch);
                    batch.clear();
                }
                if (!flushes.isEmpty()) {
                    checkpointNow();
                    for (CompletableFuture<Void> f = flushes.poll(); f != null; f = flushes.poll()) {
                        f.complete(null);
                    }
                }
                long now = System.nanoTime();
                if (now - lastCheckpointNanos >= idleWaitNanos || overlay.activeBytes() >= settings.checkpointGrowth()) {
                    startCheckpoint();
                }
            }
            closeCleanly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                wal.close();
            } catch (IOException e) {
                log.warn("cannot close the journal log in {}: {}", dir, e.toString());
            }
            stop.done().complete(null);
        }
    }

    /** Checks the batch's requests, logs the accepted ones as one group, and answers them. */
    private void log(List<StoreWrite> batch) {
        List<StoreWrite> accepted = new ArrayList<>(batch.size());
        Set<EventKey> acceptedEvents = new HashSet<>();
        long batchBytes = 0;
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            for (StoreWrite write : batch) {
                try {
                    if (broken != null) {
                        throw broken;
                    }
                    long bytes = Overlay.bytes(write);
                    accepted.add(check(txn, write, batchBytes + bytes, acceptedEvents));
                    batchBytes += bytes;
                } catch (JournalException e) {
                    failedRequests.incrementAndGet();
                    write.done().completeExceptionally(e);
                }
            }
        }
        if (accepted.isEmpty()) {
            return;
        }
        try {
            wal.append(accepted);
        } catch (IOException | RuntimeException e) {
            broken = new JournalException("journal log write failed in " + dir + " (" + e
                    + "); no write is accepted until the journal is reopened", e);
            log.error(broken.getMessage());
            failedRequests.addAndGet(accepted.size());
            accepted.forEach(write -> write.done().completeExceptionally(broken));
            return;
        }
        overlay.add(accepted, wal.nextSequence());
        commits.incrementAndGet();
        requests.addAndGet(accepted.size());
        for (StoreWrite write : accepted) {
            if (write instanceof StoreWrite.Append a) {
                events.addAndGet(a.events().size());
            }
            write.done().complete(null);
        }
    }

    /**
     * Refuses an append of a record already written (pending, in LMDB, or earlier in the batch), and a write that
     * would not fit in LMDB's map with everything pending (after a checkpoint has made room, if one can); returns the
     * write to log, an event deletion bounded by the highest sequence number written (as LMDB bounds it), so that
     * reads of what is pending agree.
     *
     * @param batchBytes the size of the batch's writes accepted so far and of this one ({@link Overlay#bytes})
     */
    private StoreWrite check(Txn<ByteBuffer> txn, StoreWrite write, long batchBytes, Set<EventKey> acceptedEvents) {
        List<EventKey> appended = List.of();
        if (write instanceof StoreWrite.Append a) {
            appended = new ArrayList<>(a.events().size());
            for (StoredEvent e : a.events()) {
                EventKey k = new EventKey(e.persistenceId(), e.sequenceNr());
                // earlier in this batch or in this very write (a few events: a list will do): not yet
                // pending, but logged with it
                if (acceptedEvents.contains(k) || appended.contains(k) || isWritten(txn, e)) {
                    throw conflict(e, null);
                }
                appended.add(k);
            }
        }
        if (!fits(batchBytes)) {
            checkpointNow();
            if (!fits(batchBytes)) {
                throw journalFull(null);
            }
        }
        acceptedEvents.addAll(appended);
        if (write instanceof StoreWrite.DeleteEvents d) {
            long highest = highestSequenceNr(txn, d.persistenceId(), checkKey);
            return d.toSequenceNr() <= highest ? d : new StoreWrite.DeleteEvents(d.persistenceId(), highest, d.done());
        }
        return write;
    }

    private static JournalException conflict(StoredEvent e, Exception cause) {
        return new JournalException("journal conflict: record %s #%d is already written (two writers for one id?)"
                .formatted(e.persistenceId(), e.sequenceNr()), cause);
    }

    private JournalException journalFull(Exception cause) {
        return new JournalException("journal full: LMDB map size %s exhausted (%s.map-size)"
                .formatted(settings.mapSizeText(), settings.configPath()), cause);
    }

    /** One journal record's key, for the conflict check within a batch. */
    private record EventKey(String persistenceId, long sequenceNr) {}

    /** Whether {@code bytes} more, besides what is pending, fit in LMDB: twice the data, B-tree pages not being full. */
    private boolean fits(long bytes) {
        return 2 * (overlay.pendingBytes() + bytes) + 16 * pageSize <= freeBytes;
    }

    private boolean isWritten(Txn<ByteBuffer> txn, StoredEvent e) {
        for (Overlay.Pending p : overlay.view(e.persistenceId())) {
            if (p.events().contains(e.sequenceNr())) {
                return true;
            }
        }
        PidEntry pid = lookup(txn, e.persistenceId(), checkName);
        return pid != null && journal.get(txn, key(checkKey, pid.no(), e.sequenceNr())) != null;
    }

    /** Freezes what is pending and applies it to LMDB on the checkpoint thread, unless a checkpoint is running. */
    private void startCheckpoint() {
        if (checkpoint != null && !checkpoint.isDone()) {
            return;
        }
        lastCheckpointNanos = System.nanoTime();
        Overlay.Generation frozen = overlay.frozen();
        if (frozen == null) {
            frozen = overlay.freeze(wal.segmentNo());
        }
        if (frozen != null) {
            Overlay.Generation generation = frozen;
            checkpoint = checkpointThread.submit(() -> applyToLmdb(generation));
        }
    }

    /** Writer thread: a checkpoint now, waited for, to make room or to close. */
    private void checkpointNow() {
        for (int i = 0; i < 2; i++) { // the running one, then one of everything pending
            awaitCheckpoint();
            checkpoint = null;
            startCheckpoint();
        }
        awaitCheckpoint();
    }

    private void awaitCheckpoint() {
        if (checkpoint == null) {
            return;
        }
        try {
            checkpoint.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // applyToLmdb reports its own failures
        }
    }

    /** After the last write: everything into LMDB, then the log is no longer needed. */
    private void closeCleanly() {
        if (broken != null) {
            return; // the next open replays the log
        }
        checkpointNow();
        if (overlay.pendingBytes() == 0) {
            try {
                wal.deleteAll();
            } catch (IOException e) {
                log.warn("cannot delete the journal log in {} (the next open replays it): {}", dir, e.toString());
            }
        }
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
            meta.put(txn, direct(LOG_NEXT), ByteBuffer.allocateDirect(8).putLong(0, generation.nextSequence()));
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
            long used = 2 + pages(mainDb.stat(txn)); // the meta pages and the main tree
            for (Dbi<ByteBuffer> db : List.of(meta, pids, pidNames, journal, snapshots)) {
                used += pages(db.stat(txn));
            }
            return Math.max(0, settings.mapSize() - used * pageSize);
        }
    }

    private static long pages(org.lmdbjava.Stat stat) {
        return stat.branchPages + stat.leafPages + stat.overflowPages;
    }

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
        ByteBuffer key = key(wKey, pidNo, e.sequenceNr());
        ByteBuffer value;
        try {
            value = journal.reserve(txn, key, EVENT_HEADER + e.bytes().length, MDB_NOOVERWRITE);
        } catch (Dbi.KeyExistsException x) {
            throw conflict(e, x);
        }
        value.putInt(4, e.serializerId()).put(EVENT_HEADER, e.bytes());
        value.putInt(0, checksum(key, value));
    }

    private void putSnapshot(Txn<ByteBuffer> txn, StoredSnapshot s) {
        ByteBuffer key = key(wKey, pidNo(txn, s.persistenceId()), s.sequenceNr());
        ByteBuffer value = snapshots.reserve(txn, key, SNAPSHOT_HEADER + s.bytes().length);
        value.putInt(4, s.serializerId()).putLong(8, s.timestamp()).put(SNAPSHOT_HEADER, s.bytes());
        value.putInt(0, checksum(key, value));
    }

    private void deleteEvents(Txn<ByteBuffer> txn, String persistenceId, long toSequenceNr) {
        ByteBuffer name = direct(persistenceId.getBytes(UTF_8));
        PidEntry pid = pidEntry(txn, name);
        if (pid == null) {
            return;
        }
        try (Cursor<ByteBuffer> c = journal.openCursor(txn)) {
            long to = Math.min(toSequenceNr, Math.max(lastSequenceNr(c, pid.no(), wKey), pid.deletedTo()));
            if (to <= pid.deletedTo()) {
                return;
            }
            boolean more = c.get(key(wKey, pid.no(), 1), MDB_SET_RANGE);
            while (more && c.key().getLong(0) == pid.no() && c.key().getLong(8) <= to) {
                c.delete(); // leaves the cursor on the next record, which next() then returns
                more = c.next();
            }
            pids.put(txn, name, wPidValue.putLong(0, pid.no()).putLong(8, to));
        }
    }

    private void deleteSnapshots(Txn<ByteBuffer> txn, String persistenceId, SnapshotSelectionCriteria criteria) {
        PidEntry pid = pidEntry(txn, direct(persistenceId.getBytes(UTF_8)));
        if (pid == null) {
            return;
        }
        try (Cursor<ByteBuffer> c = snapshots.openCursor(txn)) {
            boolean more = c.get(key(wKey, pid.no(), Math.max(criteria.minSequenceNr(), 1)), MDB_SET_RANGE);
            while (more && c.key().getLong(0) == pid.no() && c.key().getLong(8) <= criteria.maxSequenceNr()) {
                long timestamp = c.val().getLong(8);
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
        PidEntry pid = pidEntry(txn, name);
        long no;
        if (pid != null) {
            no = pid.no();
        } else {
            try (Cursor<ByteBuffer> c = pidNames.openCursor(txn)) {
                no = c.last() ? c.key().getLong(0) + 1 : 1;
            }
            pids.put(txn, name, wPidValue.putLong(0, no).putLong(8, 0));
            pidNames.put(txn, wPidNo.putLong(0, no), name);
        }
        pidNos.put(persistenceId, no);
        return no;
    }

    private JournalException writeFailure(RuntimeException e) {
        return switch (e) {
            case JournalException j -> j;
            case Env.MapFullException full -> journalFull(full);
            default -> new JournalException("journal write failed in " + dir + ": " + e, e);
        };
    }

    private void checkFormat(Dbi<ByteBuffer> meta) {
        ByteBuffer key = direct("format".getBytes(UTF_8));
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer found = meta.get(txn, key);
            if (found == null) {
                meta.put(txn, key, ByteBuffer.allocateDirect(4).putInt(0, FORMAT));
            } else if (found.getInt(0) != FORMAT) {
                throw new JournalException("the journal in %s has storage format %d; this vnetd reads format %d"
                        .formatted(dir, found.getInt(0), FORMAT));
            }
            txn.commit();
        }
    }

    // ---- reads: on any thread, usually through read() --------------------------------------------------------

    /** Runs a read on the read pool. Failures complete the future as thrown, not wrapped. */
    public <T> CompletableFuture<T> read(Supplier<T> query) {
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
            result.completeExceptionally(closedException());
        }
        return result;
    }

    /** The highest sequence number ever written for the id, deleted or not; 0 if none. */
    public long highestSequenceNr(String persistenceId) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            return highestSequenceNr(txn, persistenceId, ByteBuffer.allocateDirect(16));
        }
    }

    private long highestSequenceNr(Txn<ByteBuffer> txn, String persistenceId, ByteBuffer keyBuffer) {
        long pending = overlay.view(persistenceId).stream().mapToLong(Overlay.Pending::highestSequenceNr).max().orElse(0);
        PidEntry pid = lookup(txn, persistenceId);
        if (pid == null) {
            return pending;
        }
        try (Cursor<ByteBuffer> c = journal.openCursor(txn)) {
            return Math.max(pending, Math.max(lastSequenceNr(c, pid.no(), keyBuffer), pid.deletedTo()));
        }
    }

    /**
     * Passes the events of {@code from..to} (inclusive, at most {@code max}) to {@code sink} in order: those in LMDB,
     * read in one transaction, then those still pending.
     */
    public void replay(String persistenceId, long from, long to, long max, Consumer<StoredEvent> sink) {
        if (max <= 0 || from > to) {
            return;
        }
        List<Overlay.Pending> view = overlay.view(persistenceId);
        long deletedTo = view.stream().mapToLong(Overlay.Pending::deletedTo).max().orElse(0);
        long start = Math.max(from, deletedTo + 1);
        long n = 0;
        long last = start - 1;
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            PidEntry pid = lookup(txn, persistenceId);
            if (pid != null) {
                try (Cursor<ByteBuffer> c = journal.openCursor(txn)) {
                    boolean more = c.get(key(ByteBuffer.allocateDirect(16), pid.no(), Math.max(start, 1)), MDB_SET_RANGE);
                    while (more && n < max && c.key().getLong(0) == pid.no() && c.key().getLong(8) <= to) {
                        StoredEvent e = readEvent(persistenceId, c.key(), c.val());
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

    /** Up to {@code limit} events of {@code from..to}, for paging without holding a transaction. */
    public List<StoredEvent> events(String persistenceId, long from, long to, int limit) {
        List<StoredEvent> page = new ArrayList<>(Math.min(limit, 1024));
        replay(persistenceId, from, to, limit, page::add);
        return page;
    }

    /** Up to {@code limit} persistence ids after {@code after} (all from the first if empty), in UTF-8 byte order. */
    public List<String> persistenceIds(String after, int limit) {
        TreeSet<String> page = new TreeSet<>(Overlay::compareUtf8);
        page.addAll(overlay.createdIdsAfter(after));
        try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = pids.openCursor(txn)) {
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
        return page.stream().limit(limit).toList();
    }

    /** The youngest snapshot matching the criteria (sequence number and timestamp bounds, inclusive). */
    public Optional<StoredSnapshot> loadSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        List<Overlay.Pending> view = overlay.view(persistenceId);
        if (view.stream().allMatch(p -> p.snapshotWrites().isEmpty())) {
            return loadStoredSnapshot(persistenceId, criteria);
        }
        NavigableMap<Long, StoredSnapshot> all = new TreeMap<>();
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            PidEntry pid = lookup(txn, persistenceId);
            if (pid != null) {
                try (Cursor<ByteBuffer> c = snapshots.openCursor(txn)) {
                    boolean more = c.get(key(ByteBuffer.allocateDirect(16), pid.no(), 0), MDB_SET_RANGE);
                    while (more && c.key().getLong(0) == pid.no()) {
                        StoredSnapshot s = readSnapshot(persistenceId, c.key(), c.val());
                        all.put(s.sequenceNr(), s);
                        more = c.next();
                    }
                }
            }
        }
        Overlay.applySnapshotWrites(view, all);
        return all.descendingMap().values().stream().filter(s -> Overlay.matches(s, criteria)).findFirst();
    }

    private Optional<StoredSnapshot> loadStoredSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            PidEntry pid = lookup(txn, persistenceId);
            if (pid == null) {
                return Optional.empty();
            }
            try (Cursor<ByteBuffer> c = snapshots.openCursor(txn)) {
                ByteBuffer key = key(ByteBuffer.allocateDirect(16), pid.no(), criteria.maxSequenceNr());
                boolean more = seekAtMost(c, key);
                while (more && c.key().getLong(0) == pid.no() && c.key().getLong(8) >= criteria.minSequenceNr()) {
                    StoredSnapshot s = readSnapshot(persistenceId, c.key(), c.val());
                    if (Overlay.matches(s, criteria)) {
                        return Optional.of(s);
                    }
                    more = c.prev();
                }
                return Optional.empty();
            }
        }
    }

    /**
     * Visits every event, then every snapshot, in key order and checks each checksum, after a checkpoint has brought
     * LMDB up to date with every write made before. Reads a bounded number of
     * records per transaction, so a long scan of a live store does not pin old pages.
     */
    public void scan(Visitor visitor) {
        flush().join();
        scan(journal, JournalCorruptException.EVENT, (pid, k, v) -> visitor.event(readEvent(pid, k, v)), visitor);
        scan(snapshots, JournalCorruptException.SNAPSHOT, (pid, k, v) -> visitor.snapshot(readSnapshot(pid, k, v)), visitor);
    }

    private interface RecordReader {
        void read(String persistenceId, ByteBuffer key, ByteBuffer value);
    }

    private void scan(Dbi<ByteBuffer> db, String kind, RecordReader reader, Visitor visitor) {
        ByteBuffer from = key(ByteBuffer.allocateDirect(16), 0, 0);
        Map<Long, String> names = new HashMap<>();
        boolean more = true;
        while (more) {
            try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = db.openCursor(txn)) {
                more = c.get(from, MDB_SET_RANGE);
                for (int n = 0; more && n < SCAN_CHUNK; n++, more = c.next()) {
                    long no = c.key().getLong(0);
                    long seq = c.key().getLong(8);
                    String pid = names.computeIfAbsent(no, x -> pidName(txn, x));
                    try {
                        if (pid == null) {
                            throw new JournalCorruptException(kind, "<pid number " + no + ">", seq,
                                    "belongs to no persistence id", null);
                        }
                        reader.read(pid, c.key(), c.val());
                    } catch (JournalCorruptException e) {
                        visitor.corrupt(e);
                    }
                    key(from, no, seq + 1); // where the next transaction resumes
                }
            }
        }
    }

    private String pidName(Txn<ByteBuffer> txn, long no) {
        ByteBuffer name = pidNames.get(txn, ByteBuffer.allocateDirect(8).putLong(0, no));
        return name == null ? null : UTF_8.decode(name).toString();
    }

    private PidEntry lookup(Txn<ByteBuffer> txn, String persistenceId) {
        return lookup(txn, persistenceId, null);
    }

    /** With {@code nameBuffer} (the writer's, of {@code maxKeySize} bytes) for the key, or a new one if null. */
    private PidEntry lookup(Txn<ByteBuffer> txn, String persistenceId, ByteBuffer nameBuffer) {
        byte[] name = persistenceId.getBytes(UTF_8);
        if (name.length == 0 || name.length > maxKeySize) {
            return null;
        }
        return pidEntry(txn, nameBuffer == null ? direct(name) : nameBuffer.clear().put(name).flip());
    }

    private PidEntry pidEntry(Txn<ByteBuffer> txn, ByteBuffer name) {
        ByteBuffer v = pids.get(txn, name);
        return v == null ? null : new PidEntry(v.getLong(0), v.getLong(8));
    }

    private static long lastSequenceNr(Cursor<ByteBuffer> c, long pidNo, ByteBuffer keyBuffer) {
        return seekAtMost(c, key(keyBuffer, pidNo, Long.MAX_VALUE)) && c.key().getLong(0) == pidNo
                ? c.key().getLong(8) : 0;
    }

    /** Places the cursor on the greatest key at most {@code key}; false if there is none. */
    private static boolean seekAtMost(Cursor<ByteBuffer> c, ByteBuffer key) {
        if (!c.get(key, MDB_SET_RANGE)) {
            return c.last();
        }
        return c.key().equals(key) || c.prev();
    }

    private static StoredEvent readEvent(String persistenceId, ByteBuffer key, ByteBuffer value) {
        long seq = key.getLong(8);
        if (value.remaining() < EVENT_HEADER || value.getInt(0) != checksum(key, value)) {
            throw new JournalCorruptException(JournalCorruptException.EVENT, persistenceId, seq, "failed its checksum", null);
        }
        byte[] bytes = new byte[value.remaining() - EVENT_HEADER];
        value.get(EVENT_HEADER, bytes);
        return new StoredEvent(persistenceId, seq, value.getInt(4), bytes);
    }

    private static StoredSnapshot readSnapshot(String persistenceId, ByteBuffer key, ByteBuffer value) {
        long seq = key.getLong(8);
        if (value.remaining() < SNAPSHOT_HEADER || value.getInt(0) != checksum(key, value)) {
            throw new JournalCorruptException(JournalCorruptException.SNAPSHOT, persistenceId, seq, "failed its checksum", null);
        }
        byte[] bytes = new byte[value.remaining() - SNAPSHOT_HEADER];
        value.get(SNAPSHOT_HEADER, bytes);
        return new StoredSnapshot(persistenceId, seq, value.getLong(8), value.getInt(4), bytes);
    }

    /** CRC32C of the key and of the value after its checksum field. */
    private static int checksum(ByteBuffer key, ByteBuffer value) {
        CRC32C crc = new CRC32C();
        crc.update(key.duplicate());
        crc.update(value.duplicate().position(4));
        return (int) crc.getValue();
    }

    private static ByteBuffer key(ByteBuffer buffer, long pidNo, long sequenceNr) {
        return buffer.putLong(0, pidNo).putLong(8, sequenceNr);
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(0, bytes);
    }

    private JournalException closedException() {
        return new JournalException("the LMDB journal in " + dir + " is closed");
    }

    private static Path prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            Path real = dir.toRealPath();
            if (!Files.isWritable(real)) {
                throw new IOException("not writable");
            }
            return real;
        } catch (IOException e) {
            throw new JournalException("cannot use journal directory " + dir.toAbsolutePath() + ": " + e, e);
        }
    }
}
