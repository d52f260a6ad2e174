package io.vnetd.journal;

import static java.nio.file.StandardOpenOption.READ;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes LMDB's state durable now and then, so that the write-ahead log can be cut (see {@link Checkpoint}).
 *
 * <p>The store's writer starts a checkpoint between two commits: it reads the meta pages of the state just committed
 * and opens a read transaction on it (the pin: LMDB reuses no page of that state while it is open). The checkpoint
 * thread then flushes LMDB's file, writes the checkpoint file, closes the previous checkpoint's pin and deletes the
 * log segments the new checkpoint covers. Two pins at most are open, and LMDB's file grows by the pages written
 * between two checkpoints, which {@code checkpoint-interval} bounds.
 */
final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

    private final Env<ByteBuffer> env;
    private final Path walDir;
    private final WriteAheadLog wal;
    private final FileChannel dataFile;
    private final int pageSize;
    private final long intervalNanos;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("vnetd-lmdb-checkpoint").daemon().factory());
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** The pin of the checkpoint on disk; replaced by the checkpoint thread, or by the writer when none runs. */
    private Txn<ByteBuffer> durablePin;

    // Writer thread only.
    private Future<?> running;
    private long lastTransaction = -1;
    private long lastStartNanos;

    /**
     * Writes the first checkpoint of a store just opened (or recovered), whose state {@code pin} holds, before any
     * new write is logged.
     */
    Checkpointer(Env<ByteBuffer> env, Path dataFile, Path walDir, WriteAheadLog wal, long intervalNanos,
                 Txn<ByteBuffer> pin) throws IOException {
        this.env = env;
        this.walDir = walDir;
        this.wal = wal;
        this.dataFile = FileChannel.open(dataFile, READ);
        this.pageSize = env.stat().pageSize;
        this.intervalNanos = intervalNanos;
        try {
            complete(begin(pin));
        } catch (IOException | RuntimeException e) {
            this.dataFile.close();
            throw e;
        }
    }

    /** Checkpoints written and checkpoints that failed (each leaves the log longer; the next one retries). */
    long completed() {
        return completed.get();
    }

    long failed() {
        return failed.get();
    }

    /** Writer thread, between commits: starts a checkpoint if the interval has passed and LMDB has changed. */
    void maybeStart(long nowNanos) throws IOException {
        if (isRunning() || nowNanos - lastStartNanos < intervalNanos
                || env.info().lastTransactionId == lastTransaction) {
            return;
        }
        start();
    }

    /** Writer thread: a checkpoint of the state just committed, waited for (to free the pages the old pin holds). */
    void runNow() throws IOException {
        await();
        if (env.info().lastTransactionId != lastTransaction) {
            start();
            await();
        }
    }

    /** Writer thread, last: flushes LMDB and writes a clean checkpoint; the log is then deleted. */
    void closeClean() throws IOException {
        await();
        Checkpoint clean = new Checkpoint(true, env.info().lastTransactionId, wal.nextSequence(),
                Checkpoint.readMetaPages(dataFile, pageSize));
        env.sync(true);
        clean.write(walDir);
        wal.deleteAll();
    }

    @Override
    public void close() throws IOException {
        thread.close();
        if (durablePin != null) {
            durablePin.close();
            durablePin = null;
        }
        dataFile.close();
    }

    private boolean isRunning() {
        if (running == null) {
            return false;
        }
        if (!running.isDone()) {
            return true;
        }
        report();
        return false;
    }

    private void start() throws IOException {
        Started started = begin(env.txnRead());
        running = thread.submit(() -> {
            complete(started);
            return null;
        });
    }

    /** A checkpoint begun by the writer: the state just committed, pinned, and the segment being written. */
    private record Started(Checkpoint checkpoint, Txn<ByteBuffer> pin, long segmentNo) {}

    private Started begin(Txn<ByteBuffer> pin) throws IOException {
        lastTransaction = pin.getId();
        lastStartNanos = System.nanoTime();
        try {
            Checkpoint checkpoint = new Checkpoint(false, lastTransaction, wal.nextSequence(),
                    Checkpoint.readMetaPages(dataFile, pageSize));
            return new Started(checkpoint, pin, wal.segmentNo());
        } catch (IOException | RuntimeException e) {
            pin.close();
            throw e;
        }
    }

    /** LMDB flushed and the checkpoint written; then its pin replaces the old one and the covered segments go. */
    private void complete(Started started) throws IOException {
        try {
            env.sync(true);
            started.checkpoint().write(walDir);
        } catch (IOException | RuntimeException e) {
            started.pin().close();
            throw e;
        }
        Txn<ByteBuffer> old = durablePin;
        durablePin = started.pin();
        if (old != null) {
            old.close();
        }
        completed.incrementAndGet();
        wal.deleteSegmentsBefore(started.segmentNo());
        wal.prepareSpare();
    }

    private void await() {
        if (running != null) {
            try {
                running.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // reported below
            }
            report();
        }
    }

    private void report() {
        try {
            running.get();
        } catch (ExecutionException e) {
            failed.incrementAndGet();
            log.warn("journal checkpoint failed in {} (the log is kept; the next checkpoint retries): {}",
                    walDir, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = null;
    }
}
