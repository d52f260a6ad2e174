package io.vnetd.dataplane.backend.socket;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.FramedConnection;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.counters.BackendCounter;
import io.vnetd.model.netdev.NetdevConfig;

/**
 * {@code socket,connect=}: one TCP connection, begun when the netdev is added and never retried.
 * It describes itself as {@code socket: connect to A:P} until the connection fails or ends, and as
 * nothing afterwards, like QEMU's {@code net_socket_connect_init}. No events.
 */
final class SocketConnectBackend extends Backend {

    /** Made when the netdev was added, so released (never closed) until {@link #onStop}. */
    private final int fd;
    private final boolean connected;
    private final FramedConnection connection;
    private EventLoop loop;
    private int connectToken = -1;

    SocketConnectBackend(BackendEnv env, NetdevConfig.Socket config, int fd, boolean connected, String info) {
        super(env, config);
        this.fd = fd;
        this.connected = connected;
        this.connection = new FramedConnection(port(), counters(), env.settings(), this::lost);
        describeAs(info);
    }

    @Override
    protected void onStart(EventLoop loop) {
        this.loop = loop;
        if (connected) {
            established();
        } else {
            connectToken = loop.register(fd, Libc.EPOLLOUT, this::connectCompleted);
        }
    }

    private int connectCompleted(int events) {
        loop.deregister(connectToken);
        connectToken = -1;
        if (Sockets.pendingError(fd) != 0) {
            lost(fd);
            return 0;
        }
        established();
        return 1;
    }

    private void established() {
        Sockets.setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, "TCP_NODELAY");
        counters().get(BackendCounter.CONNECTIONS).incrementRelease();
        connection.attach(loop, fd);
    }

    /** The connection failed or ended: QEMU closes it and forgets it. */
    private void lost(int lostFd) {
        Sockets.release(lostFd);
        describeAs("");
    }

    @Override
    protected int doWork() {
        return connection.doWork();
    }

    @Override
    protected boolean hasWork() {
        return connection.hasWork();
    }

    @Override
    protected void onStop() {
        if (connectToken >= 0) {
            loop.deregister(connectToken);
        }
        connection.detach();
        Sockets.close(fd);
    }

    @Override
    protected void releaseResources() {
        Sockets.release(fd);
    }
}
