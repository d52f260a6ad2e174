package io.vnetd.dataplane.backend;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * The far end of a stream backend for tests: a non-blocking JDK socket that writes raw bytes or
 * length-prefixed frames and reads what the backend wrote, stepping the harness while it waits.
 */
final class StreamPeer implements AutoCloseable {

    final SocketChannel channel;
    private final BackendHarness h;

    private StreamPeer(BackendHarness h, SocketChannel channel) throws IOException {
        this.h = h;
        this.channel = channel;
        channel.configureBlocking(false);
    }

    static StreamPeer connectTcp(BackendHarness h, int port) {
        return connect(h, new InetSocketAddress("127.0.0.1", port), StandardProtocolFamily.INET);
    }

    static StreamPeer connectUnix(BackendHarness h, String path) {
        return connect(h, UnixDomainSocketAddress.of(path), StandardProtocolFamily.UNIX);
    }

    private static StreamPeer connect(BackendHarness h, SocketAddress address, StandardProtocolFamily family) {
        try {
            SocketChannel channel = SocketChannel.open(family);
            channel.connect(address);
            return new StreamPeer(h, channel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StreamPeer of(BackendHarness h, SocketChannel accepted) {
        try {
            return new StreamPeer(h, accepted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int localPort() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} as they are. */
    void write(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + BackendHarness.TIMEOUT_NS;
        try {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    h.step();
                    LockSupport.parkNanos(50_000);
                }
                if (System.nanoTime() - deadline > 0) {
                    fail("could not write " + bytes.length + " bytes");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code frame} behind its 4-byte big-endian length. */
    void writeFrame(byte[] frame) {
        write(prefixed(frame));
    }

    static byte[] prefixed(byte[] frame) {
        return ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array();
    }

    /** How many bytes the backend has written that were not read yet: reads them, without stepping the harness. */
    int drain() {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        int total = 0;
        try {
            for (int n = channel.read(b); n > 0; n = channel.read(b.clear())) {
                total += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    /** Reads exactly {@code length} bytes, stepping the harness while none come. */
    byte[] read(int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        long deadline = System.nanoTime() + BackendHarness.TIMEOUT_NS;
        try {
            while (b.hasRemaining()) {
                int n = channel.read(b);
                if (n < 0) {
                    fail("the backend closed the connection after " + b.position() + " of " + length + " bytes");
                }
                if (n == 0) {
                    h.step();
                    LockSupport.parkNanos(50_000);
                }
                if (System.nanoTime() - deadline > 0) {
                    fail("read " + b.position() + " of " + length + " bytes");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.array();
    }

    /** Whether the backend closed the connection, stepping the harness until it did or the time is up. */
    boolean awaitEndOfStream() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + BackendHarness.TIMEOUT_NS;
        try {
            while (System.nanoTime() - deadline < 0) {
                b.clear();
                int n = channel.read(b);
                if (n < 0) {
                    return true;
                }
                if (n == 0) {
                    h.step();
                    LockSupport.parkNanos(50_000);
                }
            }
        } catch (IOException e) {
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
