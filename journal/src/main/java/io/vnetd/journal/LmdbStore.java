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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * <h2>Threads</h2>
 * One writer thread makes every change. It takes all queued requests, applies them in one write transaction and
 * commits once (group commit), logs them and flushes the log once, then completes their futures. A request is atomic:
 * when a transaction fails, it is aborted and its requests are retried one per transaction, so only the failing
 * request fails and nothing of it is committed. Reads run on a small pool in MVCC read transactions (MDB_NOTLS: not
 * tied to a thread), see a committed state and never wait for the writer.
 *
 * <h2>Durability: a write-ahead log, LMDB flushed at checkpoints</h2>
 * A durable LMDB commit writes its pages in place (about a dozen random writes per small commit) and flushes twice.
 * Here LMDB commits without flushing (MDB_NOSYNC) and each group is appended to a {@link WriteAheadLog}: one
 * sequential write and one flush, after which the group's futures complete. Every {@code checkpoint-interval} a
 * {@link Checkpointer} flushes LMDB on its own thread and cuts the log. After a crash, opening the store puts LMDB back
 * to the last checkpoint (a power loss may have left newer pages half written) and replays the log from there; the
 * requests replay to the same state because they are applied in the same order to the same state. A group whose
 * log write or flush fails leaves LMDB ahead of what is durable: the store then refuses every further write
 * (answers are never promised for what may be lost) until it is reopened, which replays the log.
 * No future completes before its group is durable; readers may see a commit a little earlier.
 * The store takes {@code wal/lock}: one process at a time may open a directory.
 *
 */
public final class LmdbStore implements AutoCloseable {

    private static final int FORMAT = 1;
    private static final Logger log = LoggerFactory.getLogger(LmdbStore.class);
    private static final Map<Path, LmdbStore> OPEN = new HashMap<>(); // guarded by itself; users too
    private static final int EVENT_HEADER = 8;
    private static final int SNAPSHOT_HEADER = 16;
    private static final int SCAN_CHUNK = 10_000; // records per read transaction of a full scan

    private final LmdbSettings settings;
    private final Path dir;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> pids;
    private final Dbi<ByteBuffer> pidNames;
    private final Dbi<ByteBuffer> journal;
    private final Dbi<ByteBuffer> snapshots;
    private final int maxKeySize;
    private final FileChannel lockFile;
    private final WriteAheadLog wal;
    private final Checkpointer checkpointer;
    private final BlockingQueue<StoreWrite> queue = new LinkedBlockingQueue<>();
    private final StoreWrite stop = new StoreWrite.Append(List.of(), new CompletableFuture<>()); // queued last by close()
    private final ExecutorService readers;
    private int users;
    private volatile boolean closed;

    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();

    // Writer thread only.
    private final Map<String, Long> pidNos = new HashMap<>(); // cleared when a transaction aborts
    /** Requests of the group being committed that LMDB took, in commit order: the group's log record. */
    private final List<StoreWrite> committed = new ArrayList<>();
    /** Set when a group could not be logged: LMDB holds more than is durable, so no write may be answered. */
    private JournalException broken;
    private final ByteBuffer wKey = ByteBuffer.allocateDirect(16);
    private final ByteBuffer wPidNo = ByteBuffer.allocateDirect(8);
    private final ByteBuffer wPidValue = ByteBuffer.allocateDirect(16);

    /**
     * Totals since the store was opened: commits, write requests and events committed, requests that failed,
     * checkpoints written and checkpoints that failed.
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
        Optional<Checkpoint> checkpoint;
        try {
            checkpoint = Checkpoint.read(walDir);
            if (checkpoint.isPresent() && !checkpoint.get().clean()) {
                checkpoint.get().restoreMetaPages(dir.resolve("data.mdb"));
            }
            env = Env.create()
                    .setMapSize(settings.mapSize())
                    .setMaxDbs(5)
                    .setMaxReaders(settings.maxReaders())
                    .open(dir.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC);
        } catch (IOException | RuntimeException e) {
            closeQuietly(lockFile);
            throw openFailure(e);
        }
        Txn<ByteBuffer> pin = null;
        try {
            env.readerCheck(); // frees reader slots left by crashed processes, their pins included
            pin = env.txnRead(); // keeps the checkpoint's pages until the next checkpoint is on disk
            Dbi<ByteBuffer> meta = env.openDbi("meta", MDB_CREATE);
            pids = env.openDbi("pids", MDB_CREATE);
            pidNames = env.openDbi("pid-names", MDB_CREATE);
            journal = env.openDbi("journal", MDB_CREATE);
            snapshots = env.openDbi("snapshots", MDB_CREATE);
            checkFormat(meta);
            long nextSequence = checkpoint.map(Checkpoint::nextSequence).orElse(1L);
            if (checkpoint.isPresent() && !checkpoint.get().clean()) {
                nextSequence = replay(walDir, checkpoint.get());
            }
            pin.close();
            pin = env.txnRead();
            wal = WriteAheadLog.start(walDir, settings.logSegmentSize(), nextSequence);
            checkpointer = new Checkpointer(env, dir.resolve("data.mdb"), walDir, wal,
                    settings.checkpointInterval().toNanos(), pin);
        } catch (IOException | RuntimeException e) {
            if (pin != null) {
                pin.close();
            }
            env.close();
            closeQuietly(lockFile);
            throw openFailure(e);
        }
        maxKeySize = env.getMaxKeySize();
        readers = Executors.newFixedThreadPool(settings.readThreads(),
                Thread.ofPlatform().name("vnetd-lmdb-reader-", 0).daemon().factory());
        Thread.ofPlatform().name("vnetd-lmdb-writer").daemon().start(this::writeLoop);
        log.info("LMDB journal open in {} (map size {})", dir, settings.mapSizeText());
    }

    /** Re-applies the log's groups after the checkpoint, each in one transaction; returns the next sequence. */
    private long replay(Path walDir, Checkpoint checkpoint) throws IOException {
        long[] replayed = new long[2];
        long next = WriteAheadLog.replay(walDir, checkpoint.nextSequence(), group -> {
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                for (StoreWrite write : group) {
                    replayed[1] += apply(txn, write);
                }
                txn.commit();
            }
            replayed[0]++;
        });
        env.sync(true);
        log.info("journal in {} recovered: {} logged group(s), {} event(s) replayed after LMDB transaction {}",
                dir, replayed[0], replayed[1], checkpoint.lmdbTransaction());
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
            readers.close();
            checkpoint(checkpointer::close);
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
                checkpointer.completed(), checkpointer.failed());
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
                // Waking up now and then while idle lets the last writes' checkpoint happen and the log be cut.
                StoreWrite first = queue.poll(idleWaitNanos, TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, settings.maxBatch() - 1);
                    stopping = batch.removeIf(w -> w == stop);
                    commitAndLog(batch);
                    batch.clear();
                }
                if (broken == null) {
                    checkpoint(() -> checkpointer.maybeStart(System.nanoTime()));
                }
            }
            if (broken == null) {
                checkpoint(checkpointer::closeClean);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop.done().complete(null);
        }
    }

    /** Commits the batch to LMDB, logs what LMDB took as one group, and answers. */
    private void commitAndLog(List<StoreWrite> batch) {
        if (broken != null) {
            failedRequests.addAndGet(batch.size());
            batch.forEach(write -> write.done().completeExceptionally(broken));
            return;
        }
        commit(batch, true);
        logCommitted();
    }

    /** Logs the requests LMDB has taken since the last group as one group, and answers them. */
    private void logCommitted() {
        if (committed.isEmpty()) {
            return;
        }
        try {
            if (broken != null) {
                throw broken;
            }
            wal.append(committed);
            committed.forEach(write -> write.done().complete(null));
        } catch (IOException | RuntimeException e) {
            if (broken == null) {
                broken = new JournalException("journal log write failed in " + dir + " (" + e
                        + "); no write is accepted until the journal is reopened", e);
                log.error(broken.getMessage());
            }
            failedRequests.addAndGet(committed.size());
            committed.forEach(write -> write.done().completeExceptionally(broken));
        }
        committed.clear();
    }

    /**
     * Applies the batch in one LMDB transaction and adds its requests to {@link #committed}; when it fails, retries
     * them one per transaction so that only the failing request fails. A full map is retried once after a checkpoint,
     * which lets LMDB reuse the pages the previous checkpoint's pin kept.
     */
    private void commit(List<StoreWrite> batch, boolean mayCheckpoint) {
        if (batch.isEmpty()) {
            return;
        }
        long appended = 0;
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (StoreWrite write : batch) {
                appended += apply(txn, write);
            }
            txn.commit();
        } catch (RuntimeException e) {
            pidNos.clear(); // forget numbers given out in the aborted transaction
            if (e instanceof Env.MapFullException && mayCheckpoint && broken == null) {
                logCommitted(); // a checkpoint must hold exactly the groups logged before it
                checkpoint(checkpointer::runNow);
                commit(batch, false);
            } else if (batch.size() > 1) {
                batch.forEach(write -> commit(List.of(write), mayCheckpoint));
            } else {
                failedRequests.incrementAndGet();
                batch.getFirst().done().completeExceptionally(writeFailure(e));
            }
            return;
        }
        commits.incrementAndGet();
        requests.addAndGet(batch.size());
        events.addAndGet(appended);
        committed.addAll(batch);
    }

    private interface CheckpointStep {
        void run() throws IOException;
    }

    /** A failed checkpoint costs a longer log, not a write: it is reported and the next one retries. */
    private void checkpoint(CheckpointStep step) {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            log.warn("journal checkpoint failed in {} (the log is kept; the next checkpoint retries): {}", dir, e.toString());
        }
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
            throw new JournalException("journal conflict: record %s #%d is already written (two writers for one id?)"
                    .formatted(e.persistenceId(), e.sequenceNr()), x);
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
            case Env.MapFullException full -> new JournalException("journal full: LMDB map size %s exhausted (%s.map-size)"
                    .formatted(settings.mapSizeText(), settings.configPath()), full);
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
            PidEntry pid = lookup(txn, persistenceId);
            if (pid == null) {
                return 0;
            }
            try (Cursor<ByteBuffer> c = journal.openCursor(txn)) {
                return Math.max(lastSequenceNr(c, pid.no(), ByteBuffer.allocateDirect(16)), pid.deletedTo());
            }
        }
    }

    /** Passes the events of {@code from..to} (inclusive, at most {@code max}) to {@code sink} in order, in one read transaction. */
    public void replay(String persistenceId, long from, long to, long max, Consumer<StoredEvent> sink) {
        if (max <= 0 || from > to) {
            return;
        }
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            PidEntry pid = lookup(txn, persistenceId);
            if (pid == null) {
                return;
            }
            try (Cursor<ByteBuffer> c = journal.openCursor(txn)) {
                long n = 0;
                boolean more = c.get(key(ByteBuffer.allocateDirect(16), pid.no(), Math.max(from, 1)), MDB_SET_RANGE);
                while (more && n++ < max && c.key().getLong(0) == pid.no() && c.key().getLong(8) <= to) {
                    sink.accept(readEvent(persistenceId, c.key(), c.val()));
                    more = c.next();
                }
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
        List<String> page = new ArrayList<>(Math.min(limit, 1024));
        try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = pids.openCursor(txn)) {
            boolean more;
            if (after.isEmpty()) {
                more = c.first();
            } else {
                ByteBuffer start = direct(after.getBytes(UTF_8));
                more = c.get(start, MDB_SET_RANGE) && (!c.key().equals(start) || c.next());
            }
            while (more && page.size() < limit) {
                page.add(UTF_8.decode(c.key()).toString());
                more = c.next();
            }
        }
        return page;
    }

    /** The youngest snapshot matching the criteria (sequence number and timestamp bounds, inclusive). */
    public Optional<StoredSnapshot> loadSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
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
                    if (s.timestamp() >= criteria.minTimestamp() && s.timestamp() <= criteria.maxTimestamp()) {
                        return Optional.of(s);
                    }
                    more = c.prev();
                }
                return Optional.empty();
            }
        }
    }

    /**
     * Visits every event, then every snapshot, in key order and checks each checksum. Reads a bounded number of
     * records per transaction, so a long scan of a live store does not pin old pages.
     */
    public void scan(Visitor visitor) {
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
        byte[] name = persistenceId.getBytes(UTF_8);
        return name.length == 0 || name.length > maxKeySize ? null : pidEntry(txn, direct(name));
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
