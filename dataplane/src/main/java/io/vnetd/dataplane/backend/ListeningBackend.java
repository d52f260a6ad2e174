package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.FramedConnection;
import io.vnetd.dataplane.backend.io.OneClientListener;
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

    private final OneClientListener listener;
    private final FramedConnection connection;
    private EventLoop loop;

    /** @param listenFd the listening socket, this backend's from now on; -1 for none (nothing is accepted then) */
    protected ListeningBackend(BackendEnv env, NetdevConfig config, int listenFd) {
        super(env, config);
        this.listener = new OneClientListener(listenFd, this::accepted);
        this.connection = new FramedConnection(port(), counters(), env.settings(), this::lost);
    }

    /** Connection {@code fd} was accepted; its frames flow once this returns. Agent thread. */
    protected abstract void onAccepted(int fd);

    /** The connection ended and its descriptor is closed; the socket listens again. Agent thread. */
    protected abstract void onLost();

    @Override
    protected final void onStart(EventLoop loop) {
        this.loop = loop;
        listener.listen(loop);
    }

    private void accepted(int fd) {
        counters().get(BackendCounter.CONNECTIONS).incrementRelease();
        onAccepted(fd);
        connection.attach(loop, fd);
    }

    private void lost(int fd) {
        Sockets.close(fd);
        onLost();
        listener.listen(loop);
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
        listener.close();
        Sockets.close(connection.detach());
    }

    /** Lets go of the listening socket at once (the address is free); the agent closes the descriptor. */
    @Override
    protected void releaseResources() {
        listener.release();
    }
}
