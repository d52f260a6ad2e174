package io.vnetd.qmp.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O thread: a selector over its channels plus a queue of tasks from other threads. It reads
 * its connections' input as it arrives and writes their events; answers are written by whichever
 * thread completes them, under the connection's own lock (see {@link Connection}).
 */
final class IoLoop implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    private static final int TASKS_PER_ROUND = 256;

    /** Reacts to readiness of a registered channel. */
    interface Handler {
        void ready(SelectionKey key);

        /** The loop is stopping: release everything. */
        void shutdown();
    }

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /**
     * Set by the first task since the loop last looked at its queue: only that one wakes the
     * selector (an eventfd write, and a wake-up of the thread), the rest find the loop on its way.
     */
    private final AtomicBoolean wakeUpAsked = new AtomicBoolean();
    /** Changed by whichever thread closes a client; read on the loop's thread. */
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    IoLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeUpAsked.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws IOException {
        return channel.register(selector, ops, handler);
    }

    void adopt(Connection connection) {
        connections.add(connection);
    }

    void release(Connection connection) {
        connections.remove(connection);
    }

    void forEachConnection(Consumer<Connection> action) {
        connections.forEach(action);
    }

    /**
     * A key's interest set changed, or it was cancelled (its channel is closed for real only once
     * the selector lets go of it): a select already blocked would not see that before its next
     * wake-up, so a change from another thread wakes it.
     */
    void keyChanged() {
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** Stops the thread after it has closed its channels; returns when it has. */
    void stop() throws InterruptedException {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            shutdown();
            return;
        }
        selector.wakeup();
        thread.join();
    }

    private void run() {
        try {
            while (running) {
                if (tasks.isEmpty()) {
                    selector.select(this::ready);
                } else {
                    selector.selectNow(this::ready);
                }
                // Before the queue is read: a task added after this asks for a wake-up of its own.
                wakeUpAsked.set(false);
                // A bounded batch: a stream of tasks (events) must not starve the sockets.
                Runnable task;
                for (int i = 0; i < TASKS_PER_ROUND && (task = tasks.poll()) != null; i++) {
                    runSafely(task);
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.error("QMP I/O loop {} failed", thread.getName(), e);
        } finally {
            shutdown();
        }
    }

    private void shutdown() {
        // Tasks still queued may hold accepted clients: let them open, to be closed with the rest.
        for (Runnable task; (task = tasks.poll()) != null; ) {
            runSafely(task);
        }
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Handler handler) {
                handler.shutdown();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.warn("closing selector", e);
        }
    }

    private void ready(SelectionKey key) {
        runSafely(() -> ((Handler) key.attachment()).ready(key));
    }

    /** A bug in one connection's handling must not take the loop, and every other client, down. */
    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("unexpected failure in QMP I/O loop {}", thread.getName(), e);
        }
    }
}
