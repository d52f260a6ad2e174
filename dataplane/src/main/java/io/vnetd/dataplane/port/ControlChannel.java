package io.vnetd.dataplane.port;

import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.dataplane.switching.ControlOp;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The control plane's way into the switching agent: a bounded, non-blocking queue of
 * {@link ControlOp}s that the agent drains between batches.
 *
 * <p>When the queue is full the caller backs off (spin, yield, then park up to a millisecond) and
 * retries until {@code offerTimeoutNs} has passed, then fails with an {@link IllegalStateException}.
 * The agent drains the whole queue every duty cycle, so a queue that stays full means the agent is
 * stalled or not running: failing loudly is better than blocking an actor thread behind it, and the
 * entity that called retries through its supervisor.
 */
public final class ControlChannel {

    private final ManyToOneConcurrentArrayQueue<ControlOp> queue;
    private final long offerTimeoutNs;
    private final Doorbell agent;

    /** @param agent rung after each operation queued, so that a sleeping switching agent applies it at once */
    public ControlChannel(ManyToOneConcurrentArrayQueue<ControlOp> queue, long offerTimeoutNs, Doorbell agent) {
        this.queue = queue;
        this.offerTimeoutNs = offerTimeoutNs;
        this.agent = agent;
    }

    /**
     * Queues {@code op} for the switching agent. Any thread.
     *
     * @throws IllegalStateException if the queue stayed full for the offer timeout
     */
    public void send(ControlOp op) {
        if (queue.offer(op)) {
            agent.ring();
            return;
        }
        IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        long deadline = System.nanoTime() + offerTimeoutNs;
        do {
            agent.ring();
            idle.idle();
            if (queue.offer(op)) {
                agent.ring();
                return;
            }
        } while (System.nanoTime() - deadline < 0);
        throw new IllegalStateException("data plane control queue stayed full (" + queue.capacity() + " ops) for "
                + Duration.ofNanos(offerTimeoutNs) + ": the switching agent is stalled or not running; not applied: " + op);
    }
}
