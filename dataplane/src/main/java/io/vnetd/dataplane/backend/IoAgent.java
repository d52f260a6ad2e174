package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.affinity.AgentStart;
import io.vnetd.dataplane.backend.io.Epoll;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Pollable;
import io.vnetd.dataplane.backend.io.ReceiveBatch;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.dataplane.idle.Sleeper;
import io.vnetd.dataplane.port.ControlChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.agrona.collections.IntArrayQueue;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Serves the sockets of a set of backends: each duty cycle applies the control plane's starts and
 * stops, asks epoll (without waiting) which descriptors are ready and lets their handlers read and
 * write in batches, then lets the backends that have something to do move frames: those the switch
 * delivered frames to ({@link DeliverySignals}), those whose descriptors were ready, and those that
 * had work left or wait for a time. A backend with nothing to do costs nothing, so the duty cycle
 * costs what moves, not the number of backends. Waiting is the idle strategy's business, as for the
 * switching agent.
 *
 * <p>It sleeps in {@code epoll_wait} ({@link Sleeper}), so a socket wakes it, and so does an
 * {@code eventfd} its {@link Doorbell} writes: the switching agent rings it after delivering frames,
 * the control plane after queueing a command. It rings the switching agent's doorbell after a duty
 * cycle that did work, which is when it may have offered frames.
 *
 * <p>Steady state allocates nothing and takes no lock: epoll's events name a registration by token
 * and generation, so a handler is found by array index, and a readiness reported for a registration
 * dropped earlier in the same cycle is ignored.
 */
public final class IoAgent implements Agent, EventLoop, Sleeper {

    public static final String ROLE_NAME_PREFIX = "vnetd-io-";

    /** What an I/O agent on a thread of its own publishes of the switch's counts: nothing, it switches no frame. */
    public static final Runnable NO_SWITCHED_COUNTS = () -> {
    };

    private static final int MAX_EVENTS = 256;
    private static final long NANOS_PER_MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private final String roleName;
    private final ManyToOneConcurrentArrayQueue<IoCommand> commands;
    private final ControlChannel<IoCommand> control;
    private final Consumer<IoCommand> applier = this::apply;
    private final MemorySegment errno = Libc.newErrnoCell(Arena.ofAuto());
    private final Epoll epoll = new Epoll(MAX_EVENTS, errno);
    private final ReceiveBatch receiveBatch;
    private final IntArrayQueue freeTokens = new IntArrayQueue();
    private final AtomicInteger load = new AtomicInteger();
    private final AgentStart start;
    private final Doorbell doorbell;
    private final Doorbell switching;
    private final BooleanSupplier switchBacklog;
    private final Runnable publishSwitchedCounts;
    private final int wakeFd;
    /** What {@link #wake} writes to the eventfd (1), then what draining it reads: held so it stays allocated. */
    private final MemorySegment wakeCell = Arena.ofAuto().allocate(2 * Long.BYTES, Long.BYTES);
    private final long wakeValue = wakeCell.address();
    private final long wakeDrain = wakeCell.address() + Long.BYTES;

    private Pollable[] handlers = new Pollable[64];
    /** The backend each registration is for (null: the agent's own), so that its readiness makes the backend busy. */
    private Backend[] owners = new Backend[64];
    private int[] fds = new int[64];
    private int[] generations = new int[64];
    private int tokensUsed;
    private final DeliverySignals delivered;
    private final IntConsumer deliveredTo = this::deliveredTo;
    private final IntArrayQueue freeSlots = new IntArrayQueue();
    private Backend[] bySlot = new Backend[16];
    private int slotsUsed;
    /** The backends whose {@link Backend#doWork} runs in the next duty cycle. */
    private Backend[] busy = new Backend[16];
    private int busyCount;
    /** The backend whose code runs now, to which the descriptors registered meanwhile belong. */
    private Backend running;
    private long nanoTime = System.nanoTime();
    /** Events an {@code epoll_wait} that slept found, for the next duty cycle to handle. */
    private int readyFromSleep;
    private boolean closed;

    /**
     * @param doorbell      this agent's own: rung when a command is queued for it
     * @param switching     the switching agent's: rung after a duty cycle that did work
     * @param switchBacklog whether the switching agent has frames left to forward (any thread)
     * @param publishSwitchedCounts on the switching agent's thread, publishes the counts of the frames
     *                              its backends' reads switched ({@code SwitchingAgent.publishCounts}),
     *                              run after every read so that a frame is counted before it leaves;
     *                              {@link #NO_SWITCHED_COUNTS} on a thread of its own
     */
    public IoAgent(int index, DataPlane.Context ctx, Doorbell doorbell, Doorbell switching,
                   BooleanSupplier switchBacklog, Runnable publishSwitchedCounts) {
        this.roleName = ROLE_NAME_PREFIX + index;
        this.start = new AgentStart(ctx.agentCpus());
        this.commands = new ManyToOneConcurrentArrayQueue<>(ctx.controlQueueCapacity());
        this.control = new ControlChannel<>(commands, ctx.controlOfferTimeoutNs(), doorbell,
                "command queue of I/O agent " + roleName, "the agent");
        this.receiveBatch = new ReceiveBatch(ctx.ioBatchLength(), ctx.maxFrameLength());
        this.doorbell = doorbell;
        this.switching = switching;
        this.switchBacklog = switchBacklog;
        this.publishSwitchedCounts = publishSwitchedCounts;
        this.delivered = new DeliverySignals(ctx.maxPorts());
        Libc.bindPacketPath();
        this.wakeFd = Libc.eventfd(errno, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (wakeFd < 0) {
            throw new ErrnoException("eventfd", Libc.errno(errno));
        }
        wakeCell.set(ValueLayout.JAVA_LONG, 0, 1L);
        register(wakeFd, Libc.EPOLLIN, events -> {
            Libc.read(wakeFd, wakeDrain, Long.BYTES);
            return 0;
        });
    }

    @Override
    public String roleName() {
        return roleName;
    }

    @Override
    public void onStart() {
        nanoTime = System.nanoTime();
        start.onAgentThread();
    }

    /** Waits until {@link #onStart} has run on the agent's thread; rethrows what it threw. */
    public void awaitStarted() {
        start.await();
    }

    @Override
    public int doWork() {
        nanoTime = System.nanoTime();
        int work = commands.drain(applier);
        int ready = readyFromSleep > 0 ? readyFromSleep : epoll.poll(0);
        readyFromSleep = 0;
        for (int i = 0; i < ready; i++) {
            long data = epoll.data(i);
            int token = (int) data;
            if (generations[token] == (int) (data >>> 32) && handlers[token] != null) {
                Backend owner = owners[token];
                running = owner;
                work += handlers[token].onReady(epoll.events(i));
                running = null;
                publishSwitchedCounts.run();
                markBusy(owner);
            }
        }
        delivered.take(deliveredTo);
        work += serveBusy();
        publishSwitchedCounts.run();
        if (work > 0) {
            switching.ring();
        }
        return work;
    }

    /** Runs the busy backends' duty cycles; keeps busy those with work left or a time to wait for. */
    private int serveBusy() {
        int work = 0;
        int kept = 0;
        for (int i = 0; i < busyCount; i++) {
            Backend backend = busy[i];
            running = backend;
            work += backend.doWork();
            running = null;
            if (backend.hasWork() || backend.pollsWhileIdle()) {
                busy[kept++] = backend;
            } else {
                backend.busy = false;
            }
        }
        Arrays.fill(busy, kept, busyCount, null);
        busyCount = kept;
        return work;
    }

    private void deliveredTo(int slot) {
        markBusy(bySlot[slot]);
    }

    private void markBusy(Backend backend) {
        if (backend != null && !backend.busy) {
            backend.busy = true;
            if (busyCount == busy.length) {
                busy = Arrays.copyOf(busy, busyCount * 2);
            }
            busy[busyCount++] = backend;
        }
    }

    /** Commands queued, events found by a sleep, frames delivered, or a busy backend with work it can do now. */
    @Override
    public boolean hasWork() {
        if (!commands.isEmpty() || readyFromSleep > 0 || delivered.anyRaised()) {
            return true;
        }
        for (int i = 0; i < busyCount; i++) {
            if (busy[i].hasWork()) {
                return true;
            }
        }
        return false;
    }

    /** Waits in {@code epoll_wait} (whole milliseconds, at least one); what it finds is the next cycle's. */
    @Override
    public void sleep(long nanos) {
        readyFromSleep = epoll.poll((int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / NANOS_PER_MILLI)));
    }

    @Override
    public void wake() {
        Libc.write(wakeFd, wakeValue, Long.BYTES);
    }

    @Override
    public Doorbell doorbell() {
        return doorbell;
    }

    /** Stops every backend this agent serves, including ones queued to start, and closes epoll. */
    @Override
    public void onClose() {
        closed = true;
        commands.drain(applier);
        for (int slot = 0; slot < slotsUsed; slot++) {
            if (bySlot[slot] != null) {
                stopServing(bySlot[slot]);
            }
        }
        epoll.close();
        Sockets.close(wakeFd);
    }

    /** Backends served or queued: how the data plane picks the least loaded agent. Any thread. */
    int load() {
        return load.get();
    }

    /** Queues {@code backend} to be served from the next duty cycle. Control thread. */
    void start(Backend backend) {
        load.incrementAndGet();
        try {
            control.send(new IoCommand.Start(backend));
        } catch (RuntimeException e) {
            load.decrementAndGet();
            throw e;
        }
    }

    /** Queues a closed {@code backend} to be stopped. Control thread. */
    void stop(Backend backend) {
        control.send(new IoCommand.Stop(backend));
    }

    private void apply(IoCommand command) {
        switch (command) {
            case IoCommand.Start(Backend backend) -> {
                if (closed) {
                    load.decrementAndGet();
                    backend.stop();
                    return;
                }
                int slot = freeSlots.isEmpty() ? slotsUsed++ : freeSlots.pollInt();
                if (slot == bySlot.length) {
                    bySlot = Arrays.copyOf(bySlot, slot * 2);
                }
                bySlot[slot] = backend;
                backend.slot = slot;
                running = backend;
                backend.onStart(this);
                running = null;
                backend.port().signalDeliveries(delivered.signalOf(slot));
                markBusy(backend);
            }
            case IoCommand.Stop(Backend backend) -> stopServing(backend);
        }
    }

    private void stopServing(Backend backend) {
        int slot = backend.slot;
        if (slot >= 0 && bySlot[slot] == backend) {
            backend.port().signalDeliveries(null);
            bySlot[slot] = null;
            freeSlots.addInt(slot);
            backend.slot = -1;
            load.decrementAndGet();
            if (backend.busy) {
                backend.busy = false;
                for (int i = 0; i < busyCount; i++) {
                    if (busy[i] == backend) {
                        busy[i] = busy[--busyCount];
                        busy[busyCount] = null;
                        break;
                    }
                }
            }
        }
        backend.stop();
    }

    @Override
    public int register(int fd, int events, Pollable handler) {
        int token;
        if (!freeTokens.isEmpty()) {
            token = freeTokens.pollInt();
        } else {
            if (tokensUsed == handlers.length) {
                handlers = Arrays.copyOf(handlers, tokensUsed * 2);
                owners = Arrays.copyOf(owners, tokensUsed * 2);
                fds = Arrays.copyOf(fds, tokensUsed * 2);
                generations = Arrays.copyOf(generations, tokensUsed * 2);
            }
            token = tokensUsed++;
        }
        handlers[token] = handler;
        owners[token] = running;
        fds[token] = fd;
        epoll.add(fd, events, data(token));
        return token;
    }

    @Override
    public void modify(int token, int events) {
        epoll.modify(fds[token], events, data(token));
    }

    @Override
    public void deregister(int token) {
        epoll.delete(fds[token]);
        handlers[token] = null;
        owners[token] = null;
        fds[token] = -1;
        generations[token]++;
        freeTokens.addInt(token);
    }

    private long data(int token) {
        return (long) generations[token] << 32 | token;
    }

    @Override
    public ReceiveBatch receiveBatch() {
        return receiveBatch;
    }

    @Override
    public long nanoTime() {
        return nanoTime;
    }

    @Override
    public boolean switchBacklogged() {
        return switchBacklog.getAsBoolean();
    }
}
