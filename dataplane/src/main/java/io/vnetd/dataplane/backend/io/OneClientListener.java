package io.vnetd.dataplane.backend.io;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.counters.BackendCounter;
import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.port.EndpointPort;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * A listening stream socket that serves one client at a time, as QEMU's listening {@code stream} and
 * {@code socket} backends do: it accepts a connection, stops listening while it lasts (the next client
 * waits in the backlog), carries its frames through a {@link FramedConnection}, and listens again once
 * it ends. What a connection means to its backend (socket options, description, events) is the
 * {@link Handler}'s. Agent thread only, except construction.
 */
public final class OneClientListener {

    /** What the backend does as connections come and go; agent thread. */
    public interface Handler {
        /** Connection {@code fd} was accepted; its frames flow once this returns. */
        void onAccepted(int fd);

        /** The connection ended and its descriptor is closed; the socket listens again. */
        void onLost();
    }

    private final int listenFd;
    private final Handler handler;
    private final FramedConnection connection;
    private final AtomicCounter connections;
    private EventLoop loop;
    private int listenToken = -1;

    /**
     * @param listenFd the listening socket, closed by {@link #stop}; -1 for none (nothing is ever
     *                 accepted then)
     * @param settings the connection's (see {@link FramedConnection})
     */
    public OneClientListener(int listenFd, EndpointPort port, BackendCounters counters, DataPlane.Context settings,
                             Handler handler) {
        this.listenFd = listenFd;
        this.handler = handler;
        this.connection = new FramedConnection(port, counters, settings, this::lost);
        this.connections = counters.get(BackendCounter.CONNECTIONS);
    }

    /** Listens, with {@code loop} polling. */
    public void start(EventLoop loop) {
        this.loop = loop;
        if (listenFd >= 0) {
            listen();
        }
    }

    private void listen() {
        listenToken = loop.register(listenFd, Libc.EPOLLIN, events -> accept());
    }

    private int accept() {
        int fd = Sockets.accept(listenFd);
        if (fd < 0) {
            return 0;
        }
        loop.deregister(listenToken);
        listenToken = -1;
        connections.incrementRelease();
        handler.onAccepted(fd);
        connection.attach(loop, fd);
        return 1;
    }

    private void lost(int fd) {
        Sockets.close(fd);
        handler.onLost();
        listen();
    }

    /** See {@link FramedConnection#doWork}. */
    public int doWork() {
        return connection.doWork();
    }

    /** See {@link FramedConnection#hasWork}. */
    public boolean hasWork() {
        return connection.hasWork();
    }

    /** Stops listening and closes the connection, if any, and the listening socket. */
    public void stop() {
        if (listenToken >= 0) {
            loop.deregister(listenToken);
        }
        Sockets.close(connection.detach());
        Sockets.close(listenFd);
    }
}
