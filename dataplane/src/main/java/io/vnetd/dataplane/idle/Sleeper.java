package io.vnetd.dataplane.idle;

/** How the agents of one thread sleep and are woken: what a {@link WakeableIdleStrategy} drives. */
public interface Sleeper {

    /**
     * Whether work is waiting that the next duty cycle would find: checked after the thread has
     * announced that it sleeps, so that work handed over before the announcement is never slept on.
     */
    boolean hasWork();

    /** Sleeps at most {@code nanos}, or until {@link #wake}. */
    void sleep(long nanos);

    /** Ends a {@link #sleep} in progress, or the next one. Any thread. */
    void wake();
}
