package io.vnetd.dataplane.backend.io;

import io.vnetd.dataplane.idle.Doorbell;

/**
 * What a backend's I/O needs from the agent that serves it: descriptors polled for readiness
 * (level-triggered), the agent's receive batch, the time of the duty cycle and its doorbell. Every
 * method but {@link #doorbell} is for the agent's thread only.
 */
public interface EventLoop {

    /**
     * Polls {@code fd} for {@code events} ({@code EPOLLIN}, {@code EPOLLOUT}; errors and hang-ups are
     * always reported) and calls {@code handler} when it is ready.
     *
     * @return the registration's token
     */
    int register(int fd, int events, Pollable handler);

    /** Polls the registration for {@code events} instead (0: only errors and hang-ups). */
    void modify(int token, int events);

    /** Stops polling; a readiness already reported for it in this duty cycle is not delivered. */
    void deregister(int token);

    /** The receive batch shared by the datagram sockets this agent serves. */
    ReceiveBatch receiveBatch();

    /** {@link System#nanoTime()} as of the start of this duty cycle. */
    long nanoTime();

    /**
     * Whether the switching agent has frames it has not forwarded yet, some of which may be for the
     * ports this agent serves: a write may wait a little to carry them too. Any thread.
     */
    boolean switchBacklogged();

    /** The agent's doorbell: ring it after handing the agent work from another thread (a resolution done). */
    Doorbell doorbell();
}
