package io.vnetd.it.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where a test meets a hub: a UDP socket that is the {@code remote} of a dgram netdev on that hub.
 * Frames sent from here enter the hub through the netdev; frames the hub forwards to the netdev
 * arrive here. One frame per datagram, as the dgram backend carries them.
 */
public final class Wire implements AutoCloseable {

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocate(70_000);
    private InetSocketAddress netdev;

    private Wire(DatagramChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** A socket on an ephemeral loopback port. */
    public static Wire open() throws IOException {
        return new Wire(DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0)));
    }

    public int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The dgram netdev's local port: where frames sent from here go. */
    public Wire towards(int netdevPort) {
        this.netdev = new InetSocketAddress("127.0.0.1", netdevPort);
        return this;
    }

    public void send(byte[] frame) throws IOException {
        channel.send(ByteBuffer.wrap(frame), netdev);
    }

    /** The next frame to arrive within {@code timeout}, if any. */
    public Optional<byte[]> receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            buffer.clear();
            if (channel.receive(buffer) != null) {
                return Optional.of(Arrays.copyOf(buffer.array(), buffer.position()));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            selector.selectedKeys().clear();
        }
    }

    /** Discards whatever arrived so far. */
    public void drain() throws IOException {
        while (receive(Duration.ZERO).isPresent()) {
            // discard
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
