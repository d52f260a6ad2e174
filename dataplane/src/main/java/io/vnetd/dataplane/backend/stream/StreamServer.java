package io.vnetd.dataplane.backend.stream;

import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.ListeningBackend;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.UnixPaths;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import io.vnetd.model.service.NetEvent;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream server ({@code server: true}): listens from the moment it opens and serves one client at
 * a time; the next client waits in the backlog and is accepted when this one goes, as QEMU's
 * {@code net_stream_listen} does. Each connection announces {@code NETDEV_STREAM_CONNECTED} with the
 * client's address (for a unix socket, the server's own path, as QEMU reports it) and its end
 * {@code NETDEV_STREAM_DISCONNECTED}. It describes itself as QEMU's {@code socket_uri} of that
 * address while connected, as nothing otherwise, and as {@code connection error} when it cannot
 * listen.
 */
final class StreamServer extends ListeningBackend {

    private static final Logger LOG = LoggerFactory.getLogger(StreamServer.class);

    private final BackendEnv env;
    private final boolean unix;
    private final boolean keepAlive;
    private final Optional<String> path;
    private final Optional<Object> pathIdentity;

    private StreamServer(BackendEnv env, NetdevConfig.Stream config, int listenFd, Optional<String> path) {
        super(env, config, listenFd);
        this.env = env;
        this.unix = config.addr() instanceof SocketAddress.Unix;
        this.keepAlive = config.addr() instanceof SocketAddress.Inet inet && inet.keepAlive().orElse(false);
        this.path = path;
        this.pathIdentity = path.flatMap(UnixPaths::identity);
        if (listenFd < 0) {
            describeAs("connection error");
        }
    }

    static StreamServer open(BackendEnv env, NetdevConfig.Stream config) {
        StreamBackends.Listening listening;
        try {
            listening = StreamBackends.listen(config.addr());
        } catch (StreamBackends.SetupException e) {
            LOG.warn("stream netdev '{}' cannot listen: {}", config.id(), e.getMessage());
            return new StreamServer(env, config, -1, Optional.empty());
        }
        try (OwnedFd socket = new OwnedFd(listening.fd())) {
            return socket.handOver(new StreamServer(env, config, socket.fd(), listening.address().fileSystemPath()));
        }
    }

    @Override
    protected void onAccepted(int fd) {
        if (!unix) {
            Sockets.setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, "TCP_NODELAY");
            if (keepAlive) {
                Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, 1, "SO_KEEPALIVE");
            }
        }
        SockAddr peer = unix ? Sockets.localAddress(fd) : Sockets.peerAddress(fd);
        SocketAddress address = peer.toSocketAddress();
        describeAs(StreamBackends.uri(address));
        if (!isClosed()) {
            env.events().publish(new NetEvent.NetdevStreamConnected(name(), address));
        }
    }

    @Override
    protected void onLost() {
        describeAs("");
        if (!isClosed()) {
            env.events().publish(new NetEvent.NetdevStreamDisconnected(name()));
        }
    }

    @Override
    protected void releaseResources() {
        super.releaseResources();
        path.ifPresent(p -> UnixPaths.unlinkIfSame(p, pathIdentity));
    }
}
