package io.vnetd.qmp.server;

import io.vnetd.qmp.protocol.QmpSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's socket and its QMP session, read by one {@link IoLoop}. The session and the socket
 * are guarded by this object's lock: the loop takes it to read, and a command's completion takes
 * it to answer at once on the thread that completed it, which spares the loop a wake-up (an
 * eventfd write and read, and a context switch) per command. Events come through the loop, so an
 * event and an answer of the same moment may reach the client in either order, as they may from
 * QEMU (its DEVICE_DELETED, for one, follows the guest's acknowledgement, not the command). Output
 * that the client does not read at once is queued up to a bound. Past half of it, the client's
 * input is left unread until the queue has drained, so its own requests cannot fill the queue;
 * what can still fill it are events, and a client that lets the whole bound fill up is
 * disconnected, since it holds memory nobody else can use and gets nothing from it.
 */
final class Connection implements IoLoop.Handler, QmpSession.Transport {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final int READ_BUFFER_BYTES = 16 * 1024;
    /** Bytes handed to one write call: about what a socket's send buffer takes at once. */
    private static final int WRITE_SLICE = 256 * 1024;

    private final IoLoop loop;
    private final SocketChannel channel;
    private final String peer;
    private final long maxOutputBytes;
    private final Runnable onClose;
    private final ByteBuffer input = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    private final QmpSession session;
    private long outputBytes;
    private SelectionKey key;
    private boolean closed;
    /** The client shut its sending side: answer what it sent, then close. */
    private boolean inputEnded;

    /**
     * @param sessionFactory makes the session from this connection, its transport, and the executor
     *                       its completions run on (inline, under this connection's lock)
     */
    Connection(IoLoop loop, SocketChannel channel, String peer, long maxOutputBytes,
               BiFunction<Connection, Executor, QmpSession> sessionFactory, Runnable onClose) {
        this.loop = loop;
        this.channel = channel;
        this.peer = peer;
        this.maxOutputBytes = maxOutputBytes;
        this.onClose = onClose;
        this.session = sessionFactory.apply(this, this::runLocked);
    }

    /** On the loop's thread: starts reading and greets the client. */
    synchronized void open() {
        try {
            key = loop.register(channel, SelectionKey.OP_READ, this);
        } catch (IOException e) {
            LOG.warn("QMP client {}: cannot register: {}", peer, e.getMessage());
            close();
            return;
        }
        loop.adopt(this);
        LOG.debug("QMP client {} connected", peer);
        session.start();
    }

    /** On the loop's thread: an event, serialized. */
    synchronized void event(byte[] message) {
        session.event(message);
    }

    private synchronized void runLocked(Runnable task) {
        task.run();
    }

    @Override
    public synchronized void ready(SelectionKey selected) {
        if (selected.isValid() && selected.isWritable()) {
            flush();
        }
        if (selected.isValid() && selected.isReadable()) {
            read();
        }
    }

    private void read() {
        int count;
        try {
            count = channel.read(input);
        } catch (IOException e) {
            LOG.debug("QMP client {}: {}", peer, e.getMessage());
            close();
            return;
        }
        if (count < 0) {
            inputEnded = true;
            interest(key.interestOps() & ~SelectionKey.OP_READ);
            idle();
            return;
        }
        consumeInput();
    }

    private void consumeInput() {
        input.flip();
        session.input(input);
        input.compact();
        if (!closed && !inputEnded) {
            boolean paused = session.inputSuspended() || congested();
            int ops = key.interestOps();
            interest(paused ? ops & ~SelectionKey.OP_READ : ops | SelectionKey.OP_READ);
        }
    }

    @Override
    public void resumeInput() {
        if (!closed) {
            consumeInput();
        }
    }

    @Override
    public boolean congested() {
        return outputBytes > maxOutputBytes / 2;
    }

    @Override
    public void send(List<ByteBuffer> message) {
        if (closed) {
            return;
        }
        int sent = 0;
        if (output.isEmpty()) {
            try {
                while (sent < message.size()) {
                    ByteBuffer chunk = message.get(sent);
                    write(chunk);
                    if (chunk.hasRemaining()) {
                        break;
                    }
                    sent++;
                }
            } catch (IOException e) {
                LOG.debug("QMP client {}: {}", peer, e.getMessage());
                close();
                return;
            }
            if (sent == message.size()) {
                return;
            }
        }
        List<ByteBuffer> rest = message.subList(sent, message.size());
        long restBytes = rest.stream().mapToLong(ByteBuffer::remaining).sum();
        // Bounds what piles up unread: one answer larger than the bound (the listing of 10,000 netdevs) still goes.
        if (outputBytes > 0 && outputBytes + restBytes > maxOutputBytes) {
            LOG.warn("QMP client {} does not read its output ({} bytes queued): disconnecting", peer, outputBytes);
            close();
            return;
        }
        output.addAll(rest);
        outputBytes += restBytes;
        interest(key.interestOps() | SelectionKey.OP_WRITE);
    }

    /**
     * Writes what the socket takes of {@code buffer}, {@link #WRITE_SLICE} bytes per call at most: before each
     * write the JDK copies all that remains of a heap buffer into a direct one, which for a chunk of a long
     * answer would be several times what the socket takes.
     */
    private int write(ByteBuffer buffer) throws IOException {
        int written = 0;
        while (buffer.hasRemaining()) {
            int limit = buffer.limit();
            int slice = Math.min(buffer.remaining(), WRITE_SLICE);
            buffer.limit(buffer.position() + slice);
            int taken;
            try {
                taken = channel.write(buffer);
            } finally {
                buffer.limit(limit);
            }
            written += taken;
            if (taken < slice) {
                break;
            }
        }
        return written;
    }

    private void interest(int ops) {
        if (key.interestOps() != ops) {
            key.interestOps(ops);
            loop.keyChanged();
        }
    }

    private void flush() {
        try {
            while (!output.isEmpty()) {
                ByteBuffer head = output.peek();
                outputBytes -= write(head);
                if (head.hasRemaining()) {
                    return;
                }
                output.poll();
            }
        } catch (IOException e) {
            LOG.debug("QMP client {}: {}", peer, e.getMessage());
            close();
            return;
        }
        interest(key.interestOps() & ~SelectionKey.OP_WRITE);
        if (inputEnded) {
            idle();
        } else {
            consumeInput(); // input left unread while the output was congested
        }
    }

    @Override
    public void idle() {
        if (inputEnded && output.isEmpty() && session.idle()) {
            close();
        }
    }

    @Override
    public void shutdown() {
        close();
    }

    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        output.clear();
        if (key != null) {
            key.cancel();
            loop.keyChanged();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("QMP client {}: closing: {}", peer, e.getMessage());
        }
        loop.release(this);
        onClose.run();
        LOG.debug("QMP client {} disconnected", peer);
    }
}
