package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.netdev.NetdevConfig;

/**
 * A netdev whose frames come from and go to a host socket: it holds the socket, its endpoint port
 * and its I/O counters, and an {@link IoAgent} serves it.
 *
 * <p>Life: a backend type's factory acquires the host resource on the control plane's thread (so
 * that QEMU's synchronous errors reach the command) and constructs the backend, which attaches its
 * port; once it is activated (after the command is answered), the agent calls {@link #onStart},
 * {@link #doWork} in each duty cycle it has something to do in, and after {@link #close} {@link #onStop}, and frees
 * the counters.
 * A backend closed before it was activated is stopped on the closing thread. Its description
 * ({@code info network}) and counters are readable from any thread.
 */
public abstract class Backend {

    private final String name;
    private final NetdevConfig config;
    private final BackendCounters counters;
    private final EndpointPort port;
    private volatile String info = "";
    private volatile boolean closed;
    private IoAgent agent;
    /** The agent's slot for this backend while it serves it, or -1. Agent thread. */
    int slot = -1;
    /** Whether the agent runs {@link #doWork} in its next duty cycle. Agent thread. */
    boolean busy;

    /** Attaches the backend's port and allocates its counters; on failure nothing stays taken. */
    protected Backend(BackendEnv env, NetdevConfig config) {
        this(env, config.id(), config);
    }

    /**
     * A backend that is not a netdev's (a NIC's guest side) on endpoint port {@code portName}, with
     * counters of that name.
     */
    protected Backend(BackendEnv env, String portName) {
        this(env, portName, null);
    }

    private Backend(BackendEnv env, String name, NetdevConfig config) {
        this.name = name;
        this.config = config;
        this.counters = env.allocateCounters(name);
        try {
            this.port = env.attachEndpoint(name);
        } catch (RuntimeException e) {
            counters.close();
            throw e;
        }
    }

    /** Its port's name: the netdev id, or a NIC's port name for a guest side. */
    public final String name() {
        return name;
    }

    /** The netdev's configuration; null for a backend that is no netdev's. */
    public final NetdevConfig config() {
        return config;
    }

    public final BackendCounters counters() {
        return counters;
    }

    /** The agent serving this backend, set once when it is activated; null before. */
    final IoAgent agent() {
        return agent;
    }

    final void servedBy(IoAgent agent) {
        this.agent = agent;
    }

    protected final EndpointPort port() {
        return port;
    }

    /** QEMU's {@code info_str} for this backend as it is now. Any thread. */
    public final String describe() {
        return info;
    }

    protected final void describeAs(String info) {
        this.info = info;
    }

    /** Whether {@link #close} was called: events about a closed backend are not published. */
    protected final boolean isClosed() {
        return closed;
    }

    /** Agent thread (or the closing thread once agents stopped): {@link #onStop}, then frees the counters. */
    final void stop() {
        try {
            onStop();
        } finally {
            counters.close();
        }
    }

    /**
     * Closes the backend from the control plane's thread: lets go of its host resources at once (a
     * port or path is free when this returns), detaches its port; the agent then {@link #stop}s it.
     */
    final void close() {
        closed = true;
        releaseResources();
        port.close();
    }

    /**
     * As {@link #close}, when the data plane closes (vnetd stopping) rather than the backend's owner
     * going: {@link #releaseForShutdown} instead of {@link #releaseResources}.
     */
    final void shutDown() {
        closed = true;
        releaseForShutdown();
        port.close();
    }

    /** Agent thread: start serving, registering descriptors with {@code loop}. */
    protected abstract void onStart(EventLoop loop);

    /**
     * Agent thread, in a duty cycle after frames were delivered to the port, after one of the backend's descriptors
     * was ready, and in every one while {@link #hasWork} or {@link #pollsWhileIdle} says so: frames delivered to the
     * port, retries, timers. Returns the work done.
     */
    protected abstract int doWork();

    /**
     * Agent thread: whether {@link #doWork} must run every duty cycle although nothing arrives for the backend, as
     * when it waits for a time or for another thread. Otherwise the agent runs it only after frames were delivered
     * to its port, after one of its descriptors was ready, and while {@link #hasWork} says so.
     */
    protected boolean pollsWhileIdle() {
        return false;
    }

    /**
     * Agent thread, before it sleeps: whether {@link #doWork} would find work now (frames it can move,
     * an answer it waits for). Work that arrives while the agent sleeps must ring its doorbell.
     */
    protected abstract boolean hasWork();

    /**
     * Agent thread (or the closing thread once agents stopped), after {@link #close}, possibly
     * without {@link #onStart}: deregister and close every descriptor.
     */
    protected abstract void onStop();

    /**
     * Control plane's thread, once, from {@link #close}: lets go of what the descriptors made at open
     * refer to ({@link io.vnetd.dataplane.backend.io.Sockets#release}) and of files, while the agent
     * may still be using the descriptors.
     */
    protected abstract void releaseResources();

    /**
     * Control plane's thread, once, from {@link #shutDown}: as {@link #releaseResources}, unless the
     * backend has a host resource that outlives vnetd's run (a NIC's guest interface, which a restart
     * finds again).
     */
    protected void releaseForShutdown() {
        releaseResources();
    }

    @Override
    public String toString() {
        return (config == null ? "guest" : config.type()) + " backend '" + name + "'";
    }
}
