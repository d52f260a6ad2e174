package io.vnetd.dataplane.backend.stream;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.AddrInfo;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.FramedConnection;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.counters.BackendCounter;
import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import io.vnetd.model.service.NetEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream client ({@code server: false}): connects when it opens, and again {@code reconnect}
 * seconds after a failed attempt or a lost connection when that is not 0. An attempt resolves the
 * address on the {@link io.vnetd.dataplane.backend.Resolver} (inet) and tries each result with a
 * non-blocking connect, so the agent never waits. A connection announces
 * {@code NETDEV_STREAM_CONNECTED} with the server's address and its end
 * {@code NETDEV_STREAM_DISCONNECTED}. QEMU's main loop reports a connect's completion after the
 * socket events that are ready by then; so a connection is announced only after its agent has looked
 * at its sockets again and handled the ready ones, and a server the same agent serves reports the
 * connection first, as in QEMU. It describes itself as QEMU's {@code socket_uri} of the server
 * while connected, as {@code connection error} after a failed attempt, and as nothing otherwise.
 */
final class StreamClient extends Backend {

    private static final Logger LOG = LoggerFactory.getLogger(StreamClient.class);

    private enum Phase { IDLE, RESOLVING, CONNECTING, CONNECTED, WAITING }

    private final BackendEnv env;
    private final SocketAddress address;
    private final long reconnectNs;
    private final FramedConnection connection;
    private EventLoop loop;
    private Phase phase = Phase.IDLE;
    private CompletableFuture<List<AddrInfo.Entry>> resolution;
    private List<Candidate> candidates = List.of();
    private int nextCandidate;
    private int connectingFd = -1;
    private int connectingToken = -1;
    private String lastFailure = "";
    private long reconnectAtNs;
    /** A connection established and not announced yet. */
    private NetEvent.NetdevStreamConnected connectedToAnnounce;
    /**
     * Whether a duty cycle has ended since the connection was established: the next one looks at
     * the sockets (a cycle that began with what a sleep found does not, again) before this backend
     * announces it.
     */
    private boolean announcementDue;

    StreamClient(BackendEnv env, NetdevConfig.Stream config) {
        super(env, config);
        this.env = env;
        this.address = config.addr();
        this.reconnectNs = TimeUnit.SECONDS.toNanos(config.reconnect().orElse(0L));
        this.connection = new FramedConnection(port(), counters(), env.settings(), this::lost);
    }

    /** An address to try: what {@code socket(2)} needs, and where to connect. */
    private record Candidate(int family, int protocol, SockAddr address) {
    }

    @Override
    protected void onStart(EventLoop loop) {
        this.loop = loop;
        attempt();
    }

    private void attempt() {
        try {
            switch (address) {
                case SocketAddress.Inet inet -> {
                    resolution = env.resolver().lookup(inet.host().isEmpty() ? null : inet.host(), inet.port(),
                            StreamBackends.family(inet), Libc.SOCK_STREAM, StreamBackends.lookupFlags(inet, false));
                    phase = Phase.RESOLVING;
                    Doorbell agent = loop.doorbell();
                    resolution.whenComplete((addresses, failure) -> agent.ring());
                }
                case SocketAddress.Unix unix -> tryEach(List.of(
                        new Candidate(Libc.AF_UNIX, 0, StreamBackends.unixAddress(unix))));
                case SocketAddress.Vsock vsock -> tryEach(List.of(
                        new Candidate(Libc.AF_VSOCK, 0, StreamBackends.vsockAddress(vsock))));
                case SocketAddress.Fd fd -> fail("File descriptor named '" + fd.str() + "' has not been found");
            }
        } catch (StreamBackends.SetupException e) {
            fail(e.getMessage());
        }
    }

    @Override
    protected int doWork() {
        int work = announceConnected();
        if (phase == Phase.RESOLVING && resolution.isDone()) {
            work++;
            resolved();
        } else if (phase == Phase.WAITING && loop.nanoTime() - reconnectAtNs >= 0) {
            work++;
            attempt();
        }
        return work + connection.doWork();
    }

    /** A name being resolved on another thread, or a reconnection due at a time. */
    @Override
    protected boolean pollsWhileIdle() {
        return phase == Phase.RESOLVING || phase == Phase.WAITING;
    }

    @Override
    protected boolean hasWork() {
        return connectedToAnnounce != null || phase == Phase.RESOLVING && resolution.isDone()
                || connection.hasWork();
    }

    private void resolved() {
        SocketAddress.Inet inet = (SocketAddress.Inet) address;
        try {
            tryEach(resolution.get().stream()
                    .map(e -> new Candidate(e.family(), StreamBackends.protocol(inet, e.protocol()), e.address()))
                    .toList());
        } catch (ExecutionException e) {
            fail("address resolution failed for " + inet.host() + ":" + inet.port() + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while resolving " + inet.host());
        } finally {
            resolution = null;
        }
    }

    private void tryEach(List<Candidate> list) {
        candidates = list;
        nextCandidate = 0;
        lastFailure = "no address to connect to";
        tryNext();
    }

    /** Connects to the next candidate; the last failure is the attempt's when none is left. */
    private void tryNext() {
        while (nextCandidate < candidates.size()) {
            Candidate candidate = candidates.get(nextCandidate++);
            int fd;
            try {
                fd = Sockets.socket(candidate.family(), Libc.SOCK_STREAM, candidate.protocol(), "Failed to create socket");
            } catch (ErrnoException e) {
                lastFailure = e.getMessage();
                continue;
            }
            int errno = Sockets.connect(fd, candidate.address());
            if (errno == 0) {
                established(fd);
                return;
            }
            if (errno == Libc.EINPROGRESS) {
                phase = Phase.CONNECTING;
                connectingFd = fd;
                connectingToken = loop.register(fd, Libc.EPOLLOUT, this::connectCompleted);
                return;
            }
            Sockets.close(fd);
            lastFailure = failedToConnect(candidate, errno);
        }
        fail(lastFailure);
    }

    private int connectCompleted(int events) {
        int fd = connectingFd;
        loop.deregister(connectingToken);
        connectingToken = -1;
        connectingFd = -1;
        int errno = Sockets.pendingError(fd);
        if (errno == 0) {
            established(fd);
            return 1;
        }
        Sockets.close(fd);
        lastFailure = failedToConnect(candidates.get(nextCandidate - 1), errno);
        tryNext();
        return 0;
    }

    private static String failedToConnect(Candidate candidate, int errno) {
        return new ErrnoException("Failed to connect to '" + candidate.address() + "'", errno).getMessage();
    }

    private void established(int fd) {
        if (address instanceof SocketAddress.Inet inet) {
            Sockets.setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, "TCP_NODELAY");
            if (inet.keepAlive().orElse(false)) {
                Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, 1, "SO_KEEPALIVE");
            }
        }
        SocketAddress server = Sockets.peerAddress(fd).toSocketAddress();
        phase = Phase.CONNECTED;
        counters().get(BackendCounter.CONNECTIONS).incrementRelease();
        describeAs(StreamBackends.uri(server));
        connection.attach(loop, fd);
        connectedToAnnounce = new NetEvent.NetdevStreamConnected(name(), server);
    }

    private int announceConnected() {
        if (connectedToAnnounce == null) {
            return 0;
        }
        if (!announcementDue) {
            announcementDue = true;
            return 1;
        }
        publishConnected();
        return 1;
    }

    private void publishConnected() {
        if (connectedToAnnounce != null && !isClosed()) {
            env.events().publish(connectedToAnnounce);
        }
        connectedToAnnounce = null;
        announcementDue = false;
    }

    private void fail(String reason) {
        LOG.info("stream netdev '{}': connection error: {}", name(), reason);
        describeAs("connection error");
        retryLater();
    }

    private void lost(int fd) {
        publishConnected();
        Sockets.close(fd);
        describeAs("");
        if (!isClosed()) {
            env.events().publish(new NetEvent.NetdevStreamDisconnected(name()));
        }
        retryLater();
    }

    private void retryLater() {
        if (reconnectNs > 0) {
            phase = Phase.WAITING;
            reconnectAtNs = loop.nanoTime() + reconnectNs;
        } else {
            phase = Phase.IDLE;
        }
    }

    @Override
    protected void onStop() {
        if (connectingToken >= 0) {
            loop.deregister(connectingToken);
        }
        Sockets.close(connectingFd);
        Sockets.close(connection.detach());
        phase = Phase.IDLE;
    }

    /** Nothing was acquired when the netdev was added: the connection closes when the agent stops it. */
    @Override
    protected void releaseResources() {
    }
}
