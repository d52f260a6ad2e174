package io.vnetd.dataplane.idle;

import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.agrona.concurrent.IdleStrategy;

/**
 * The data plane's default idle strategy: Aeron's back-off (spin, then yield) followed by a sleep
 * that the producers of the agent's work end at once by ringing its {@link Doorbell}, so that an idle
 * agent costs no CPU and a busy one no latency. An I/O agent sleeps in {@code epoll_wait}, so a
 * socket wakes it too; the switching agent parks. A sleep lasts at most {@code maxSleepNs}, which
 * bounds the delay of anything that comes without a ring (a reconnect timer).
 *
 * <p>No wake-up is lost: the thread announces that it sleeps, then looks for work
 * ({@link Sleeper#hasWork}); a producer hands work over, then looks at the announcement
 * ({@link #ring}); both with a full fence in between, so at least one sees the other.
 *
 * <p>Until {@link #bind bound} to the thread's {@link Sleeper}, or for a caller stepping agents
 * itself, it never sleeps and ringing does nothing.
 */
public final class WakeableIdleStrategy implements IdleStrategy, Doorbell {

    private final int maxSpins;
    private final int maxYields;
    private final long maxSleepNs;
    private Sleeper sleeper;
    private int spins;
    private int yields;
    private volatile boolean sleeping;
    private volatile boolean stopped;

    public WakeableIdleStrategy(int maxSpins, int maxYields, long maxSleepNs) {
        if (maxSpins < 0 || maxYields < 0 || maxSleepNs < 1) {
            throw new IllegalArgumentException("spins and yields must not be negative and the sleep at least 1 ns");
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxSleepNs = maxSleepNs;
    }

    /** Gives the strategy the thread it runs on; once, before the thread starts. */
    public void bind(Sleeper sleeper) {
        if (this.sleeper != null) {
            throw new IllegalStateException("an idle strategy serves one thread");
        }
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < maxYields) {
            yields++;
            Thread.yield();
        } else if (sleeper == null || stopped) {
            Thread.yield();
        } else {
            sleeping = true;
            if (!sleeper.hasWork()) {
                sleeper.sleep(maxSleepNs);
            }
            sleeping = false;
        }
    }

    @Override
    public void reset() {
        spins = 0;
        yields = 0;
    }

    /**
     * Ends the sleep in progress and every later one (the thread yields instead), so that the agents'
     * runner can stop them: a thread sleeping in {@code epoll_wait} does not see an interrupt.
     */
    public void stopSleeping() {
        stopped = true;
        ring();
    }

    /** Wakes the thread if it sleeps; call after handing it work. Any thread. */
    @Override
    public void ring() {
        VarHandle.fullFence();
        if (sleeping) {
            sleeper.wake();
        }
    }

    @Override
    public String alias() {
        return "wakeable-backoff";
    }

    @Override
    public String toString() {
        return "WakeableIdleStrategy{spins=" + maxSpins + ", yields=" + maxYields + ", maxSleepNs=" + maxSleepNs + "}";
    }
}
