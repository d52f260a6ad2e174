package io.vnetd.dataplane.backend.vhostuser;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OneClientListener;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.UnixPaths;
import io.vnetd.dataplane.counters.BackendCounter;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A vhost-user port ({@code __io.vnetd_vhost-user-port}): one front-end at a time on a UNIX socket,
 * which vnetd listens on (server) or connects to, again every {@code reconnect} seconds while it
 * cannot or after the connection ends (client). The connection's {@link VhostUserDevice} handles the
 * front-end's messages when the socket is readable and moves frames in each duty cycle it runs in:
 * after a kick, after the switch delivered frames, and, while a vring runs, in every cycle, because
 * some front-ends' kicks never arrive (QEMU under TCG) and the available ring must be polled.
 *
 * <p>A message or ring that breaks the protocol closes the connection (counted in {@code peer-errors});
 * the port stays, and listens or reconnects. Its description says where it listens or is connected.
 */
final class VhostUserBackend extends Backend {

    private static final Logger LOG = LoggerFactory.getLogger(VhostUserBackend.class);

    private final String path;
    private final boolean server;
    private final long reconnectNs;
    private final int queuePairs;
    private final int maxFrameLength;
    private final int batchLimit;
    /** Accepts front-ends on the socket made when the netdev was added (server); has none for a client. */
    private final OneClientListener listener;
    private final Optional<Object> socketFile;
    private EventLoop loop;
    private VhostUserDevice device;
    private int connectionToken = -1;
    private long reconnectAtNs;
    private boolean waiting;

    VhostUserBackend(BackendEnv env, NetdevConfig.VhostUserPort config, int listenFd) {
        super(env, config);
        this.path = config.path();
        this.server = config.isServer();
        this.reconnectNs = TimeUnit.SECONDS.toNanos(config.reconnectSeconds());
        this.queuePairs = config.queuePairs();
        this.maxFrameLength = env.settings().maxFrameLength();
        this.batchLimit = env.settings().batchLimit();
        this.listener = new OneClientListener(listenFd, this::connected);
        this.socketFile = server ? UnixPaths.identity(path) : Optional.empty();
        describeAs(idle());
    }

    private String idle() {
        return server ? "vhost-user-port: listening on " + path : "vhost-user-port: connecting to " + path;
    }

    @Override
    protected void onStart(EventLoop loop) {
        this.loop = loop;
        if (server) {
            listener.listen(loop);
        } else {
            connect();
        }
    }

    private void connect() {
        waiting = false;
        int fd = Sockets.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0, "Failed to create socket");
        int errno = Sockets.connect(fd, SockAddr.unix(path, false, false));
        if (errno != 0) {
            Sockets.close(fd);
            describeAs(idle() + " (" + Libc.strerror(errno) + ")");
            waiting = true;
            reconnectAtNs = loop.nanoTime() + reconnectNs;
            return;
        }
        connected(fd);
    }

    private void connected(int fd) {
        counters().get(BackendCounter.CONNECTIONS).incrementRelease();
        device = new VhostUserDevice(fd, loop, port(), counters(), queuePairs, maxFrameLength, batchLimit);
        connectionToken = loop.register(fd, Libc.EPOLLIN, this::onMessages);
        describeAs("vhost-user-port: " + (server ? "connected on " : "connected to ") + path);
    }

    private int onMessages(int events) {
        try {
            int handled = device.onReadable();
            if (handled < 0) {
                disconnect();
                return 1;
            }
            return handled;
        } catch (ProtocolException e) {
            broken(e);
            return 1;
        }
    }

    private void broken(ProtocolException e) {
        LOG.warn("vhost-user port '{}': closing the connection: {}", name(), e.getMessage());
        counters().get(NetClientCounter.PEER_ERRORS).incrementRelease();
        disconnect();
    }

    /** The connection ended: everything it set up goes, and the port listens or reconnects. */
    private void disconnect() {
        loop.deregister(connectionToken);
        connectionToken = -1;
        device.close();
        device = null;
        describeAs(idle());
        if (isClosed()) {
            return;
        }
        if (server) {
            listener.listen(loop);
        } else {
            waiting = true;
            reconnectAtNs = loop.nanoTime() + reconnectNs;
        }
    }

    @Override
    protected int doWork() {
        if (waiting) {
            if (loop.nanoTime() - reconnectAtNs >= 0) {
                connect();
                return 1;
            }
            return 0;
        }
        if (device == null) {
            return 0;
        }
        try {
            return device.serve();
        } catch (ProtocolException e) {
            broken(e);
            return 1;
        }
    }

    /** A client waits for its next attempt; a running vring is polled (kicks may not arrive). */
    @Override
    protected boolean pollsWhileIdle() {
        return waiting || device != null && device.running();
    }

    @Override
    protected boolean hasWork() {
        return device != null && device.hasWork();
    }

    @Override
    protected void onStop() {
        listener.close();
        if (device != null) {
            loop.deregister(connectionToken);
            device.close();
            device = null;
        }
        waiting = false;
    }

    /** Frees the path at once: the listening socket is released and its file removed if still ours. */
    @Override
    protected void releaseResources() {
        if (server) {
            listener.release();
            UnixPaths.unlinkIfSame(path, socketFile);
        }
    }
}
