package io.vnetd.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one writer thread and its queue. It takes every queued request (up to {@code max-batch}), checks it (a
 * record already written, a store that would be full), appends the accepted ones to the {@link WriteAheadLog} as one
 * group and flushes the log once (group commit: one sequential write and one flush for many writers), adds them to
 * the {@link Overlay}, where reads see them, and completes their futures. A request is atomic and fails alone. No
 * future completes before its group is durable. LMDB is not written here: this thread tells the {@link Checkpointer}
 * when to write it.
 *
 * <p>A group whose log write or flush fails may or may not be on disk: the writer then refuses every further write
 * (answers are never promised for what may be lost) until the store is reopened and its recovery replays the log. A
 * group the log could not make room for (no new segment on a full disk) was not written at all: it alone is refused,
 * and the writer goes on with the next.
 */
final class GroupCommitWriter {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final LmdbSettings settings;
    private final Path dir;
    private final Env<ByteBuffer> env;
    private final Overlay overlay;
    private final WriteAheadLog wal;
    private final Checkpointer checkpointer;
    private final MergedReads reads;
    private final BlockingQueue<StoreWrite> queue = new LinkedBlockingQueue<>();
    private final StoreWrite stop = new StoreWrite.Append(List.of(), new CompletableFuture<>()); // queued last by close()
    /** Queued to wake the writer for the requests in {@link #flushes}. */
    private final StoreWrite wakeUp = new StoreWrite.Append(List.of(), new CompletableFuture<>());
    private final Queue<CompletableFuture<Void>> flushes = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();

    // Writer thread only.
    /** Set when a group could not be logged: it may or may not be on disk, so no write may be answered. */
    private JournalException broken;
    private final ByteBuffer checkKey = ByteBuffer.allocateDirect(16);
    private final ByteBuffer checkName;

    /** Starts the writer thread, appending to the checkpointer's log. */
    GroupCommitWriter(LmdbSettings settings, Path dir, Env<ByteBuffer> env, Overlay overlay, Checkpointer checkpointer,
            MergedReads reads, int maxKeySize) {
        this.settings = settings;
        this.dir = dir;
        this.env = env;
        this.overlay = overlay;
        this.wal = checkpointer.log();
        this.checkpointer = checkpointer;
        this.reads = reads;
        checkName = ByteBuffer.allocateDirect(maxKeySize);
        Thread.ofPlatform().name("vnetd-lmdb-writer").daemon().start(this::run);
    }

    /** Queues a request; its future completes once it is durable, or with why it was refused. */
    CompletableFuture<Void> submit(StoreWrite write) {
        if (!closed) {
            queue.add(write);
            // close() may have drained the queue between the check and the add; whoever removes it completes it
            if (!closed || !queue.remove(write)) {
                return write.done();
            }
        }
        write.done().completeExceptionally(StoreRegistry.closed(dir));
        return write.done();
    }

    /** Completes once everything written before it is in LMDB (a checkpoint). */
    CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        flushes.add(done);
        queue.add(wakeUp);
        if (closed && flushes.remove(done)) { // close() may have stopped the writer already
            done.completeExceptionally(StoreRegistry.closed(dir));
        }
        return done;
    }

    /**
     * Stops the thread after the requests queued so far, and a last checkpoint; requests and flushes that come later
     * fail as closed.
     */
    void close() {
        closed = true;
        queue.add(stop);
        stop.done().join();
        List<StoreWrite> late = new ArrayList<>();
        queue.drainTo(late);
        late.forEach(w -> w.done().completeExceptionally(StoreRegistry.closed(dir)));
        flushes.forEach(f -> f.completeExceptionally(StoreRegistry.closed(dir)));
    }

    /** Groups logged. */
    long commits() {
        return commits.get();
    }

    /** Write requests logged. */
    long requests() {
        return requests.get();
    }

    /** Events logged. */
    long events() {
        return events.get();
    }

    /** Write requests refused. */
    long failedRequests() {
        return failedRequests.get();
    }

    private void run() {
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
                    commit(batch);
                    batch.clear();
                }
                if (!flushes.isEmpty()) {
                    checkpointer.runNow();
                    for (CompletableFuture<Void> f = flushes.poll(); f != null; f = flushes.poll()) {
                        f.complete(null);
                    }
                }
                checkpointer.startIfDue();
            }
            if (broken == null) { // a broken log is replayed at the next open instead
                checkpointer.finish();
            }
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
    private void commit(List<StoreWrite> batch) {
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
        long started = System.nanoTime();
        try {
            wal.append(accepted);
        } catch (WriteAheadLog.NotLogged e) {
            // Nothing of the group reached the log: refuse it alone, and take the next group (room may come back).
            JournalException refused = new JournalException(e.getMessage(), e);
            failedRequests.addAndGet(accepted.size());
            accepted.forEach(write -> write.done().completeExceptionally(refused));
            return;
        } catch (IOException | RuntimeException e) {
            broken = new JournalException("journal log write failed in " + dir + " (" + e
                    + "); no write is accepted until the journal is reopened", e);
            log.error(broken.getMessage());
            failedRequests.addAndGet(accepted.size());
            accepted.forEach(write -> write.done().completeExceptionally(broken));
            return;
        }
        long logged = System.nanoTime() - started;
        overlay.add(accepted, wal.nextSequence());
        commits.incrementAndGet();
        requests.addAndGet(accepted.size());
        int groupEvents = 0;
        for (StoreWrite write : accepted) {
            if (write instanceof StoreWrite.Append a) {
                groupEvents += a.events().size();
            }
        }
        events.addAndGet(groupEvents);
        WriteGroupListener.installed().logged(accepted.size(), groupEvents, logged);
        for (StoreWrite write : accepted) {
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
                if (acceptedEvents.contains(k) || appended.contains(k) || reads.isWritten(txn, e, checkKey, checkName)) {
                    throw conflict(e, null);
                }
                appended.add(k);
            }
        }
        if (!checkpointer.fits(batchBytes)) {
            checkpointer.runNow();
            if (!checkpointer.fits(batchBytes)) {
                throw journalFull(settings, null);
            }
        }
        acceptedEvents.addAll(appended);
        if (write instanceof StoreWrite.DeleteEvents d) {
            long highest = reads.highestSequenceNr(txn, d.persistenceId(), checkKey);
            return d.toSequenceNr() <= highest ? d : new StoreWrite.DeleteEvents(d.persistenceId(), highest, d.done());
        }
        return write;
    }

    /** One journal record's key, for the conflict check within a batch. */
    private record EventKey(String persistenceId, long sequenceNr) {}

    /** A record written twice; a checkpoint that meets one fails with it too. */
    static JournalException conflict(StoredEvent e, Exception cause) {
        return new JournalException("journal conflict: record %s #%d is already written (two writers for one id?)"
                .formatted(e.persistenceId(), e.sequenceNr()), cause);
    }

    /** LMDB's map too small; a checkpoint that runs out of it fails with this too. */
    static JournalException journalFull(LmdbSettings settings, Exception cause) {
        return new JournalException("journal full: LMDB map size %s exhausted (%s.map-size)"
                .formatted(settings.mapSizeText(), settings.configPath()), cause);
    }
}
