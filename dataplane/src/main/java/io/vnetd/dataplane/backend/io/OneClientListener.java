package io.vnetd.dataplane.backend.io;

import java.util.function.IntConsumer;

/**
 * A listening stream socket that serves one client at a time, as QEMU's servers do: while it listens
 * it accepts a connection, hands it on and stops listening (the next client waits in the backlog)
 * until its owner has it {@link #listen} again once that connection ended. Agent thread, but
 * {@link #release}.
 */
public final class OneClientListener {

    /** Made when the netdev was added, so released (never closed) until {@link #close}; -1 if none. */
    private final int fd;
    private final IntConsumer onAccepted;
    private final Pollable acceptor = events -> accept();
    private EventLoop loop;
    private int token = -1;

    /**
     * @param fd         the listening socket, this listener's from now on; -1 for none (nothing is accepted then)
     * @param onAccepted takes each accepted connection's descriptor (non-blocking, close-on-exec)
     */
    public OneClientListener(int fd, IntConsumer onAccepted) {
        this.fd = fd;
        this.onAccepted = onAccepted;
    }

    /** Accepts the next connection that {@code loop}'s agent finds waiting. */
    public void listen(EventLoop loop) {
        this.loop = loop;
        if (fd >= 0) {
            token = loop.register(fd, Libc.EPOLLIN, acceptor);
        }
    }

    private int accept() {
        int connection = Sockets.accept(fd);
        if (connection < 0) {
            return 0;
        }
        loop.deregister(token);
        token = -1;
        onAccepted.accept(connection);
        return 1;
    }

    /** Stops listening and closes the socket. */
    public void close() {
        if (token >= 0) {
            loop.deregister(token);
            token = -1;
        }
        Sockets.close(fd);
    }

    /** Lets go of the socket at once (its address is free); {@link #close} closes the descriptor. Any thread. */
    public void release() {
        Sockets.release(fd);
    }
}
