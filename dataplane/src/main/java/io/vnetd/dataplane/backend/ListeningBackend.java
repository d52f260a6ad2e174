package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.FramedConnection;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.counters.BackendCounter;
import io.vnetd.model.netdev.NetdevConfig;

/**
 * A backend on a listening stream socket that serves one client at a time, as QEMU's listening
 * {@code stream} and {@code socket} backends do: it accepts a connection, stops listening while it
 * lasts (the next client waits in the backlog), carries its frames through a {@link FramedConnection},
 * and listens again once it ends. What a connection means (socket options, description, events) is
 * the subclass's.
 */
public abstract class ListeningBackend extends Backend {

    /** Made when the netdev was added, so released (never closed) until {@link #onStop}; -1 if none. */
    private final int listenFd;
    private final FramedConnection connection;
    private EventLoop loop;
    private int listenToken = -1;

    /** @param listenFd the listening socket, this backend's from now on; -1 for none (nothing is accepted then) */
    protected ListeningBackend(BackendEnv env, NetdevConfig config, int listenFd) {
        super(env, config);
        this.listenFd = listenFd;
        this.connection = new FramedConnection(port(), counters(), env.settings(), this::lost);
    }

    /** Connection {@code fd} was accepted; its frames flow once this returns. Agent thread. */
    protected abstract void onAccepted(int fd);

    /** The connection ended and its descriptor is closed; the socket listens again. Agent thread. */
    protected abstract void onLost();

    @Override
    protected final void onStart(EventLoop loop) {
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
        counters().get(BackendCounter.CONNECTIONS).incrementRelease();
        onAccepted(fd);
        connection.attach(loop, fd);
        return 1;
    }

    private void lost(int fd) {
        Sockets.close(fd);
        onLost();
        listen();
    }

    @Override
    protected final int doWork() {
        return connection.doWork();
    }

    @Override
    protected final boolean hasWork() {
        return connection.hasWork();
    }

    @Override
    protected final void onStop() {
        if (listenToken >= 0) {
            loop.deregister(listenToken);
        }
        Sockets.close(connection.detach());
        Sockets.close(listenFd);
    }

    /** Lets go of the listening socket at once (the address is free); the agent closes the descriptor. */
    @Override
    protected void releaseResources() {
        Sockets.release(listenFd);
    }
}
