package io.vnetd.qmp.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A listening socket: accepts clients and hands them on. Runs on the first {@link IoLoop}. */
final class Listener implements IoLoop.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    private final QmpEndpoint endpoint;
    private final ServerSocketChannel channel;
    private final UnixSocketFiles.Bound unixFile;
    private final BiConsumer<QmpEndpoint, SocketChannel> accepted;

    /** @param unixFile the socket file to remove on shutdown, or null for TCP */
    Listener(QmpEndpoint endpoint, ServerSocketChannel channel, UnixSocketFiles.Bound unixFile,
             BiConsumer<QmpEndpoint, SocketChannel> accepted) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.unixFile = unixFile;
        this.accepted = accepted;
    }

    SocketAddress localAddress() throws IOException {
        return unixFile != null ? UnixDomainSocketAddress.of(unixFile.path()) : channel.getLocalAddress();
    }

    void register(IoLoop loop) throws IOException {
        channel.configureBlocking(false);
        loop.register(channel, SelectionKey.OP_ACCEPT, this);
    }

    @Override
    public void ready(SelectionKey key) {
        try {
            for (SocketChannel client; (client = channel.accept()) != null; ) {
                client.configureBlocking(false);
                if (endpoint instanceof QmpEndpoint.Tcp) {
                    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                accepted.accept(endpoint, client);
            }
        } catch (IOException e) {
            // e.g. out of file descriptors: the pending client stays queued, try again later
            LOG.warn("QMP endpoint {}: accept failed: {}", endpoint, e.getMessage());
        }
    }

    @Override
    public void shutdown() {
        try {
            channel.close();
            if (unixFile != null) {
                UnixSocketFiles.remove(unixFile);
            }
        } catch (IOException e) {
            LOG.warn("QMP endpoint {}: closing: {}", endpoint, e.getMessage());
        }
    }
}
