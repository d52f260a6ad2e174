package io.vnetd.dataplane.backend.socket;

import io.vnetd.actors.netdev.NetdevConfig;
import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.FramedConnection;
import io.vnetd.dataplane.backend.io.Ipv4;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.counters.BackendCounter;

/**
 * {@code socket,listen=}: accepts one TCP connection at a time (the next waits in the backlog until
 * this one ends), describes itself as {@code socket: connection from A:P} while connected and as
 * nothing otherwise, like QEMU's {@code net_socket_accept}. No events.
 */
final class SocketListenBackend extends Backend {

    private final int listenFd;
    private final FramedConnection connection;
    private EventLoop loop;
    private int listenToken = -1;

    SocketListenBackend(BackendEnv env, NetdevConfig.Socket config, int listenFd) {
        super(env, config);
        this.listenFd = listenFd;
        this.connection = new FramedConnection(port(), counters(), env.settings().ioBufferLength(), this::lost);
    }

    @Override
    protected void onStart(EventLoop loop) {
        this.loop = loop;
        listenToken = loop.register(listenFd, Libc.EPOLLIN, events -> accept());
    }

    private int accept() {
        int fd = Sockets.accept(listenFd);
        if (fd < 0) {
            return 0;
        }
        loop.deregister(listenToken);
        listenToken = -1;
        SockAddr peer = Sockets.peerAddress(fd);
        Sockets.setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, "TCP_NODELAY");
        counters().get(BackendCounter.CONNECTIONS).incrementRelease();
        describeAs("socket: connection from " + Ipv4.ntoa(peer.ipv4()) + ":" + peer.port());
        connection.attach(loop, fd);
        return 1;
    }

    private void lost(int fd) {
        Sockets.close(fd);
        describeAs("");
        listenToken = loop.register(listenFd, Libc.EPOLLIN, events -> accept());
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
        if (listenToken >= 0) {
            loop.deregister(listenToken);
        }
        Sockets.close(connection.detach());
        Sockets.close(listenFd);
    }

    @Override
    protected void releaseResources() {
        Sockets.release(listenFd);
    }
}
