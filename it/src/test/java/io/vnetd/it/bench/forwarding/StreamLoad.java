package io.vnetd.it.bench.forwarding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames into one stream server netdev and out of another, length-prefixed, on two connections
 * driven by one thread: each write carries up to a window of frames in one system call, each read
 * takes whatever arrived, so the generator's cost per frame is a few memory operations. With nothing
 * to send it waits in a selector until frames come back, leaving the forwarder the CPU.
 */
final class StreamLoad implements Load {

    private static final int READ_BUFFER = 4 << 20;
    private static final long WAIT_MS = 10;

    private final SocketChannel in;
    private final SocketChannel out;
    private final int frameLength;
    private final int recordLength;
    private final int window;
    private final ByteBuffer tx;
    private final UnsafeBuffer txView;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(READ_BUFFER);
    private final UnsafeBuffer rxView = new UnsafeBuffer(rx);
    private final Selector readable;
    private int nextSequence;
    private int expectedSequence;

    StreamLoad(SocketAddress input, SocketAddress output, int frameLength, int window) {
        this.frameLength = frameLength;
        this.recordLength = 4 + frameLength;
        this.window = window;
        this.tx = ByteBuffer.allocateDirect(window * recordLength);
        this.txView = new UnsafeBuffer(tx);
        for (int i = 0; i < window; i++) {
            txView.putInt(i * recordLength, frameLength, ByteOrder.BIG_ENDIAN);
            Frames.write(txView, i * recordLength + 4, frameLength);
        }
        try {
            this.out = connect(output);
            this.in = connect(input);
            this.readable = Selector.open();
            out.register(readable, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SocketChannel connect(SocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        if (address instanceof java.net.InetSocketAddress) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.configureBlocking(false);
        return channel;
    }

    @Override
    public Result run(Duration duration) {
        try {
            long sent = 0;
            long received = 0;
            long bad = 0;
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long receivedAtEnd = -1;
            long lastProgress = start;
            tx.limit(0);
            rx.clear();
            while (true) {
                long now = System.nanoTime();
                if (receivedAtEnd < 0 && now - end >= 0) {
                    receivedAtEnd = received;
                }
                if (receivedAtEnd >= 0 && (received == sent || now - lastProgress > TimeUnit.SECONDS.toNanos(2))) {
                    break;
                }
                if (receivedAtEnd < 0 && !tx.hasRemaining()) {
                    int frames = (int) Math.min(window - (sent - received), window);
                    if (frames > window / 4) {
                        for (int i = 0; i < frames; i++) {
                            Frames.sequence(txView, i * recordLength + 4, nextSequence++);
                        }
                        tx.clear().limit(frames * recordLength);
                        sent += frames;
                    }
                }
                if (tx.hasRemaining()) {
                    in.write(tx);
                }
                if (!tx.hasRemaining() && (receivedAtEnd >= 0 || window - (sent - received) <= window / 4)) {
                    // Nothing to send: wait for the forwarder rather than spin, leaving it the CPU.
                    readable.select(WAIT_MS);
                    readable.selectedKeys().clear();
                }
                int n = out.read(rx);
                if (n > 0) {
                    lastProgress = now;
                    int parsed = 0;
                    int limit = rx.position();
                    while (limit - parsed >= recordLength) {
                        if (rxView.getInt(parsed, ByteOrder.BIG_ENDIAN) != frameLength
                                || !Frames.hasHeader(rxView, parsed + 4)
                                || Frames.sequence(rxView, parsed + 4) != expectedSequence) {
                            bad++;
                        }
                        expectedSequence++;
                        parsed += recordLength;
                        received++;
                    }
                    rx.flip().position(parsed);
                    rx.compact();
                } else if (n < 0) {
                    throw new IOException("the forwarder closed the output stream");
                }
            }
            double seconds = duration.toNanos() / 1e9;
            return new Result(receivedAtEnd, seconds, sent - received, bad);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            readable.close();
            in.close();
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
