package io.vnetd.dataplane.port;

import io.vnetd.dataplane.idle.Doorbell;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The way into an agent from the control plane's threads: a bounded, non-blocking queue of commands
 * that the agent drains every duty cycle (the switching agent its {@code ControlOp}s, an I/O agent
 * its backends' starts and stops).
 *
 * <p>When the queue is full the caller backs off (spin, yield, then park up to a millisecond) and
 * retries until {@code offerTimeoutNs} has passed, then fails with an {@link IllegalStateException}.
 * The agent drains the whole queue every duty cycle, so a queue that stays full means the agent is
 * stalled or not running: failing loudly is better than blocking an actor thread behind it, and the
 * entity that called retries through its supervisor.
 *
 * @param <T> the commands
 */
public final class ControlChannel<T> {

    private final ManyToOneConcurrentArrayQueue<T> queue;
    private final long offerTimeoutNs;
    private final Doorbell agent;
    private final String queueName;
    private final String agentName;

    /**
     * @param agent     rung after each command queued, so that a sleeping agent applies it at once
     * @param queueName names the queue when it stays full ({@code data plane control queue})
     * @param agentName names the agent then ({@code the switching agent})
     */
    public ControlChannel(ManyToOneConcurrentArrayQueue<T> queue, long offerTimeoutNs, Doorbell agent,
                          String queueName, String agentName) {
        this.queue = queue;
        this.offerTimeoutNs = offerTimeoutNs;
        this.agent = agent;
        this.queueName = queueName;
        this.agentName = agentName;
    }

    /**
     * Queues {@code command} for the agent. Any thread.
     *
     * @throws IllegalStateException if the queue stayed full for the offer timeout
     */
    public void send(T command) {
        if (queue.offer(command)) {
            agent.ring();
            return;
        }
        IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        long deadline = System.nanoTime() + offerTimeoutNs;
        do {
            agent.ring();
            idle.idle();
            if (queue.offer(command)) {
                agent.ring();
                return;
            }
        } while (System.nanoTime() - deadline < 0);
        throw new IllegalStateException(queueName + " stayed full (" + queue.capacity() + " ops) for "
                + Duration.ofNanos(offerTimeoutNs) + ": " + agentName + " is stalled or not running; not applied: "
                + command);
    }
}
