package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.affinity.AgentStart;
import io.vnetd.dataplane.counters.Counter;
import io.vnetd.dataplane.counters.CounterStore;
import io.vnetd.dataplane.counters.PortCounters;
import io.vnetd.dataplane.counters.SwitchCounter;
import io.vnetd.dataplane.counters.SwitchCountersSnapshot;
import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.dataplane.idle.Sleeper;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * Moves frames between ports. Each duty cycle first applies every queued {@link ControlOp} to the
 * model, compiling again the routes of the endpoints a change of topology affects (link and
 * rx-filter changes compile nothing: routes read them as frames pass), then forwards at most
 * {@code batchLimit} frames from the inbound ring along their precompiled routes. Forwarding
 * allocates nothing and takes no lock; all the work of a configuration change happens off that path.
 *
 * <p>An operation applies to every frame written after it was queued: a batch stops at the first
 * frame read while the queue holds operations, and the next duty cycle applies them first. So a
 * backend may send as soon as its {@code attachEndpoint} or its {@code connect} has returned.
 *
 * <p>An endpoint whose I/O runs on this agent's thread (a backend in {@code ThreadingMode.SHARED})
 * skips the ring: {@link #forward} switches each frame as it is offered, with the same routes,
 * counters and drops, after applying the operations queued so far.
 *
 * <p>After a duty cycle that forwarded frames it rings {@code deliveries}, the doorbell of the agents
 * that read the endpoints' rings; on a thread of its own it sleeps by parking ({@link Sleeper}).
 */
public final class SwitchingAgent implements Agent, ControlledMessageHandler, Sleeper {

    public static final String ROLE_NAME = "vnetd-switch";

    private final ManyToOneConcurrentArrayQueue<ControlOp> controlQueue;
    private final ManyToOneRingBuffer inbound;
    private final int batchLimit;
    private final ErrorHandler errorHandler;
    private final PendingCounts pending;
    private final SwitchModel model;
    private final RouteCompiler compiler;
    private final Counter staleFrames;
    private final Counter routesCompiled;
    private final Counter errors;
    private final Consumer<ControlOp> applier = this::apply;
    private final Consumer<Port> routeCompiler = this::compileRoute;
    private final Consumer<Port> routeRemover = this::removeRoute;
    private final AgentStart start;
    private final Doorbell deliveries;
    private volatile Thread thread;

    private final ForwardingTable table;

    /** @param deliveries rung after a duty cycle that delivered frames to endpoints */
    public SwitchingAgent(DataPlane.Context ctx, ManyToOneConcurrentArrayQueue<ControlOp> controlQueue,
                          ManyToOneRingBuffer inbound, CounterStore counters, Doorbell deliveries) {
        this.controlQueue = controlQueue;
        this.deliveries = deliveries;
        this.inbound = inbound;
        this.batchLimit = ctx.batchLimit();
        this.pending = new PendingCounts();
        this.start = new AgentStart(ctx.agentCpus());
        this.errorHandler = ctx.errorHandler();
        this.model = new SwitchModel(counters, pending);
        this.compiler = new RouteCompiler(model, ctx.maxHubHops(), pending);
        this.table = new ForwardingTable();
        CounterStore.Group own = counters.allocate(SwitchCounter.values().length);
        this.staleFrames = own.counter(SwitchCounter.STALE_FRAMES.ordinal());
        this.routesCompiled = own.counter(SwitchCounter.ROUTES_COMPILED.ordinal());
        this.errors = own.counter(SwitchCounter.ERRORS.ordinal());
    }

    @Override
    public String roleName() {
        return ROLE_NAME;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
        start.onAgentThread();
    }

    /** Waits until {@link #onStart} has run on the agent's thread; rethrows what it threw. */
    public void awaitStarted() {
        start.await();
    }

    @Override
    public int doWork() {
        int work = applyControl();
        int forwarded = inbound.controlledRead(this, batchLimit);
        pending.publish();
        if (forwarded > 0) {
            deliveries.ring();
        }
        return work + forwarded;
    }

    /**
     * Adds the counts held to the counters: those of the frames {@link #forward} switched since. The
     * I/O agent on this thread calls it after each read, before any of those frames can leave. Agent
     * thread only.
     */
    public void publishCounts() {
        pending.publish();
    }

    /**
     * Forwards a frame sent from the port tagged {@code tag} at once, as reading it off the inbound
     * ring would, for an endpoint whose I/O runs on this agent's thread: no ring write, copy or
     * compare-and-swap. Operations queued so far apply first, as at the start of a duty cycle. Rings
     * no doorbell: the endpoints served on this thread move what it delivers in the same duty cycle.
     * Agent thread only.
     *
     * @return true: the frame was forwarded, or dropped and counted
     */
    public boolean forward(int tag, DirectBuffer frame, int offset, int length) {
        applyControl();
        forwardAlongRoute(tag, frame, offset, length);
        return true;
    }

    /** Operations queued or frames on the inbound ring. */
    @Override
    public boolean hasWork() {
        return !controlQueue.isEmpty() || inbound.size() > 0;
    }

    @Override
    public void sleep(long nanos) {
        LockSupport.parkNanos(nanos);
    }

    @Override
    public void wake() {
        Thread sleeping = thread;
        if (sleeping != null) {
            LockSupport.unpark(sleeping);
        }
    }

    /** Applies every queued operation and compiles the routes they made stale; returns how many. */
    private int applyControl() {
        if (controlQueue.isEmpty()) {
            return 0;
        }
        // Counts go to the counters of the model they were taken in: a port may close next.
        pending.publish();
        int applied = controlQueue.drain(applier);
        if (applied > 0) {
            int refreshed = model.refreshRoutes(routeCompiler, routeRemover);
            if (refreshed > 0) {
                routesCompiled.getAndAddRelease(refreshed);
            }
        }
        return applied;
    }

    private void apply(ControlOp op) {
        try {
            model.apply(op);
        } catch (RuntimeException e) {
            countError();
            errorHandler.onError(e);
        }
    }

    private void compileRoute(Port endpoint) {
        table.put(compiler.compile(endpoint));
    }

    private void removeRoute(Port endpoint) {
        table.remove(endpoint.tag);
    }

    @Override
    public Action onMessage(int tag, MutableDirectBuffer buffer, int index, int length) {
        if (!controlQueue.isEmpty()) {
            // An operation queued before this frame was written must apply to it: leave the frame
            // until the next duty cycle has drained the queue.
            return Action.ABORT;
        }
        forwardAlongRoute(tag, buffer, index, length);
        return Action.CONTINUE;
    }

    private void forwardAlongRoute(int tag, DirectBuffer frame, int offset, int length) {
        Route route = table.route(tag);
        if (route == null) {
            staleFrames.incrementRelease();
        } else {
            route.forward(frame, offset, length);
        }
    }

    /** Closes every port and frees its counters; the agent's own counters stay readable. */
    @Override
    public void onClose() {
        pending.publish();
        controlQueue.clear();
        model.clear();
        table.clear();
    }

    /** Each open port's counters by name, as ports open and close; a live view. Any thread. */
    public Map<String, PortCounters> portCounters() {
        return model.countersByName();
    }

    /** The agent's own counters. Any thread. */
    public SwitchCountersSnapshot switchCounters() {
        return new SwitchCountersSnapshot(staleFrames.get(), routesCompiled.get(), errors.get());
    }

    /** Counts an error of this or any other agent of the data plane. Any thread. */
    public void countError() {
        errors.increment();
    }
}
