package io.vnetd.dataplane;

import io.vnetd.actors.api.NetEventPublisher;
import io.vnetd.actors.api.NetException;
import io.vnetd.actors.netclient.NetClientRef;
import io.vnetd.actors.netdev.NetdevConfig;
import io.vnetd.actors.nic.NicConfig;
import io.vnetd.actors.port.PortControl;
import io.vnetd.dataplane.affinity.CpuAffinity;
import io.vnetd.dataplane.counters.PortCounter;
import io.vnetd.dataplane.counters.PortCounters;
import io.vnetd.dataplane.counters.PortCountersSnapshot;
import io.vnetd.dataplane.counters.SwitchCounter;
import io.vnetd.dataplane.counters.SwitchCountersSnapshot;
import io.vnetd.dataplane.filter.RxFilter;
import io.vnetd.dataplane.filter.VirtioRxFilter;
import io.vnetd.dataplane.port.ControlChannel;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.PortRegistry;
import io.vnetd.dataplane.port.RingBuffers;
import io.vnetd.dataplane.switching.ControlOp;
import io.vnetd.dataplane.switching.PortTag;
import io.vnetd.dataplane.switching.SwitchingAgent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packet path of one node: ports, hubs and the switching agent that moves frames between them
 * with QEMU's net core semantics. The control plane drives it through {@link PortControl}; backends
 * and NIC guest sides {@link #attachEndpoint attach} to it; anyone may read its counters.
 *
 * <p>Every control call only validates its arguments and queues an immutable {@link ControlOp}; the
 * switching agent applies it between batches, before it forwards any frame written after the call
 * returned. Calls never wait for the agent, except when the queue is full (see
 * {@link Context#controlOfferTimeoutNs}).
 *
 * <p>{@link #create} builds a data plane without threads (tests step {@link #switchingAgent()}
 * themselves); {@link #start} runs the agent on its own thread; {@link #launch} does both.
 */
public final class DataPlane implements PortControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);

    private static final String NIC_PREFIX = "nic:";

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final Context ctx;
    private final CountersManager countersManager;
    private final ControlChannel control;
    private final PortRegistry registry;
    private final SwitchingAgent agent;
    private final AgentRunner runner;
    private final AtomicInteger state = new AtomicInteger(NEW);
    /** The guest side of every open NIC, by NIC name; written by actor threads. */
    private final Map<String, EndpointPort> guestSides = new ConcurrentHashMap<>();

    private DataPlane(Context ctx) {
        this.ctx = ctx;
        int counters = ctx.maxPorts() * PortCounter.values().length + SwitchCounter.values().length;
        int valuesLength = counters * CountersReader.COUNTER_LENGTH;
        // Agrona keeps a counter's label and key in metadata four times the size of its value.
        this.countersManager = new CountersManager(
                new UnsafeBuffer(BufferUtil.allocateDirectAligned(valuesLength * 4, BitUtil.CACHE_LINE_LENGTH * 2)),
                new UnsafeBuffer(BufferUtil.allocateDirectAligned(valuesLength, BitUtil.CACHE_LINE_LENGTH * 2)));
        ManyToOneConcurrentArrayQueue<ControlOp> controlQueue =
                new ManyToOneConcurrentArrayQueue<>(ctx.controlQueueCapacity());
        ManyToOneRingBuffer inbound = new ManyToOneRingBuffer(RingBuffers.allocate(ctx.inboundRingCapacity()));
        this.control = new ControlChannel(controlQueue, ctx.controlOfferTimeoutNs());
        this.registry = new PortRegistry(
                control, inbound, ctx.maxPorts(), ctx.outboundRingCapacity(), ctx.maxFrameLength());
        this.agent = new SwitchingAgent(ctx, controlQueue, inbound, countersManager);
        this.runner = new AgentRunner(
                ctx.idleStrategySupplier().get(), ctx.errorHandler(), agent.errorCounter(), agent);
    }

    /** Concludes {@code ctx} and builds a data plane whose agent is not running yet. */
    public static DataPlane create(Context ctx) {
        return new DataPlane(ctx.conclude());
    }

    /** {@link #create} then {@link #start}. */
    public static DataPlane launch(Context ctx) {
        return create(ctx).start();
    }

    /**
     * Runs the switching agent on its own thread, pinned to {@link Context#agentCpus} if any, and
     * returns once it has started.
     *
     * @throws IllegalStateException if already started or closed, or if the agent could not be pinned
     *                               (the data plane is closed then)
     */
    public DataPlane start() {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("data plane already " + (state.get() == CLOSED ? "closed" : "started"));
        }
        AgentRunner.startOnThread(runner);
        try {
            agent.awaitStarted();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("data plane started: {} on {}", SwitchingAgent.ROLE_NAME,
                ctx.agentCpus().length == 0 ? "any CPU" : "CPUs " + Arrays.toString(ctx.agentCpus()));
        return this;
    }

    /**
     * Stops the agent, closes every port and frees its counters. Ring memory goes with the last
     * reference to it, so an I/O thread still holding an {@link EndpointPort} cannot touch freed
     * memory. The switch's own counters stay readable.
     */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) != CLOSED) {
            registry.shutDown();
            runner.close();
        }
    }

    public Context context() {
        return ctx;
    }

    /** The switching agent, for a caller that runs its duty cycle itself instead of {@link #start}. */
    public SwitchingAgent switchingAgent() {
        return agent;
    }

    /**
     * The port name of a net client. Netdev ids and NIC names are separate namespaces, so NIC ports
     * carry a prefix that no netdev id can have (ids are identifiers: no ':').
     */
    public static String portName(NetClientRef client) {
        return switch (client.kind()) {
            case NETDEV -> client.name();
            case NIC -> NIC_PREFIX + client.name();
        };
    }

    @Override
    public void open(NetdevConfig config) {
        Objects.requireNonNull(config, "config");
        requireNotClosed();
        switch (config) {
            case NetdevConfig.Hubport hubport -> registry.openHubport(hubport.id(), hubport.hubid());
            case NetdevConfig.Socket socket -> throw notYet(socket);
            case NetdevConfig.Stream stream -> throw notYet(stream);
            case NetdevConfig.Dgram dgram -> throw notYet(dgram);
        }
    }

    private static NetException notYet(NetdevConfig config) {
        return NetException.generic("network backend '" + config.type() + "' is not supported by vnetd yet");
    }

    /**
     * A NIC's port: its guest side is an endpoint whose frames the guest port drains, filtered by the
     * NIC's receive filter. Re-opening an open NIC keeps its port and replaces the filter.
     */
    @Override
    public void openNic(NicConfig config, io.vnetd.actors.nic.RxFilter filter) {
        Objects.requireNonNull(config, "config");
        requireNotClosed();
        String name = portName(NetClientRef.nic(config.name()));
        guestSides.computeIfAbsent(config.name(), nic -> registry.attachEndpoint(name));
        setRxFilter(config.name(), filter);
    }

    @Override
    public void setRxFilter(String nic, io.vnetd.actors.nic.RxFilter filter) {
        send(new ControlOp.SetRxFilter(portName(NetClientRef.nic(nic)), VirtioRxFilter.of(filter)));
    }

    /** Sends {@code frame} from the NIC's port, through the same link and peer checks as its guest's frames. */
    @Override
    public void inject(String nic, byte[] frame) {
        EndpointPort guestSide = guestSides.get(nic);
        if (guestSide != null && !guestSide.offer(new UnsafeBuffer(frame), 0, frame.length)) {
            LOG.warn("NIC '{}': inbound ring full, an injected frame was dropped", nic);
        }
    }

    @Override
    public void close(NetClientRef client) {
        Objects.requireNonNull(client, "client");
        requireNotClosed();
        if (client.kind() == NetClientRef.Kind.NIC) {
            guestSides.remove(client.name());
        }
        registry.close(portName(client));
    }

    @Override
    public void setLink(NetClientRef client, boolean up) {
        send(new ControlOp.SetLink(portName(client), up));
    }

    @Override
    public void connect(NetClientRef a, NetClientRef b) {
        send(new ControlOp.Connect(portName(a), portName(b)));
    }

    @Override
    public void disconnect(NetClientRef client) {
        send(new ControlOp.Disconnect(portName(client)));
    }

    /** Hubports and NICs describe themselves elsewhere; backends with I/O describe their connection. */
    @Override
    public String describe(NetClientRef client) {
        return "";
    }

    /**
     * Attaches a backend or a NIC's guest side as endpoint port {@code name}: link up, no peer, accept
     * all frames. The port is usable at once; {@link EndpointPort#close()} or {@link #close(String)}
     * detaches it.
     *
     * @throws IllegalStateException if {@code name} is open already
     * @throws io.vnetd.actors.api.NetException if all {@link Context#maxPorts} slots are in use
     */
    public EndpointPort attachEndpoint(String name) {
        Objects.requireNonNull(name, "name");
        requireNotClosed();
        return registry.attachEndpoint(name);
    }

    /**
     * Replaces the receive filter of endpoint port {@code name}, applied to every frame delivered to
     * it from then on; {@link RxFilter#ACCEPT_ALL} removes it.
     *
     * @throws IllegalArgumentException if {@code name} is a hubport
     */
    public void setPortRxFilter(String name, RxFilter filter) {
        ControlOp op = new ControlOp.SetRxFilter(name, filter);
        if (registry.isHubport(name)) {
            throw new IllegalArgumentException("rx-filters apply to endpoint ports; '" + name + "' is a hubport");
        }
        send(op);
    }

    /** The counters of port {@code name}, or nothing if no such port is open. Any thread. */
    public Optional<PortCountersSnapshot> counters(String name) {
        PortCounters counters = agent.portCounters().get(name);
        return counters == null ? Optional.empty() : counters.snapshot(name, countersManager);
    }

    /** The counters of every open port, by name. Any thread. */
    public List<PortCountersSnapshot> counters() {
        List<PortCountersSnapshot> snapshots = new ArrayList<>();
        agent.portCounters().forEach((name, counters) -> counters.snapshot(name, countersManager).ifPresent(snapshots::add));
        snapshots.sort(Comparator.comparing(PortCountersSnapshot::name));
        return snapshots;
    }

    /** The switching agent's own counters. Any thread. */
    public SwitchCountersSnapshot switchCounters() {
        return agent.switchCounters();
    }

    /** Every counter with its label and type id, for tools. Any thread. */
    public CountersReader countersReader() {
        return countersManager;
    }

    private void send(ControlOp op) {
        requireNotClosed();
        control.send(op);
    }

    private void requireNotClosed() {
        if (state.get() == CLOSED) {
            throw new IllegalStateException("data plane is closed");
        }
    }

    /**
     * The data plane's settings, each with a documented default; {@link #conclude()} validates them
     * together. Setters return the context for chaining.
     */
    public static final class Context {

        /** {@value}: bytes of the ring all endpoints write into the switch (4 MiB). */
        public static final int INBOUND_RING_CAPACITY_DEFAULT = 4 * 1024 * 1024;

        /** {@value}: bytes of each endpoint's ring of delivered frames (1 MiB). */
        public static final int OUTBOUND_RING_CAPACITY_DEFAULT = 1024 * 1024;

        /** {@value}: QEMU's {@code NET_BUFSIZE}, 4096 + 65536. */
        public static final int MAX_FRAME_LENGTH_DEFAULT = 4096 + 65536;

        /** {@value}: an Ethernet header; no frame setting may go below it. */
        public static final int MIN_FRAME_LENGTH = 14;

        /** {@value}: frames forwarded per duty cycle before the control queue is looked at again. */
        public static final int BATCH_LIMIT_DEFAULT = 256;

        /** {@value}: control operations the queue holds. */
        public static final int CONTROL_QUEUE_CAPACITY_DEFAULT = 4096;

        /** One second: how long a control call may wait for room in a full queue. */
        public static final long CONTROL_OFFER_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(1);

        /** {@value}: hubports and endpoints open at once. */
        public static final int MAX_PORTS_DEFAULT = 1024;

        /** {@value}: hubs a frame may cross (through hubport-to-hubport peerings). */
        public static final int MAX_HUB_HOPS_DEFAULT = 8;

        private boolean concluded;
        private int inboundRingCapacity = INBOUND_RING_CAPACITY_DEFAULT;
        private int outboundRingCapacity = OUTBOUND_RING_CAPACITY_DEFAULT;
        private int maxFrameLength = MAX_FRAME_LENGTH_DEFAULT;
        private int batchLimit = BATCH_LIMIT_DEFAULT;
        private Supplier<IdleStrategy> idleStrategySupplier = Context::defaultIdleStrategy;
        private int[] agentCpus = new int[0];
        private int controlQueueCapacity = CONTROL_QUEUE_CAPACITY_DEFAULT;
        private long controlOfferTimeoutNs = CONTROL_OFFER_TIMEOUT_NS_DEFAULT;
        private int maxPorts = MAX_PORTS_DEFAULT;
        private int maxHubHops = MAX_HUB_HOPS_DEFAULT;
        private ErrorHandler errorHandler = t -> LOG.error("data plane error", t);
        private NetEventPublisher eventPublisher = event -> LOG.debug("no event publisher: {}", event);

        /**
         * The default idle strategy: Aeron's back-off (10 spins, 20 yields, then parks from 1 us
         * doubling to 1 ms), cheap on shared cores and quick to wake.
         */
        public static IdleStrategy defaultIdleStrategy() {
            return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }

        /**
         * Validates the settings; a data plane concludes its context once.
         *
         * @throws IllegalArgumentException naming the setting and what it needs
         * @throws IllegalStateException    if concluded already
         */
        public Context conclude() {
            if (concluded) {
                throw new IllegalStateException("context already concluded: give each data plane its own");
            }
            requireRingCapacity("inboundRingCapacity", inboundRingCapacity);
            requireRingCapacity("outboundRingCapacity", outboundRingCapacity);
            if (maxFrameLength < MIN_FRAME_LENGTH) {
                throw new IllegalArgumentException(
                        "maxFrameLength must be at least " + MIN_FRAME_LENGTH + " (an Ethernet header), got " + maxFrameLength);
            }
            requireFrameFits("inboundRingCapacity", inboundRingCapacity);
            requireFrameFits("outboundRingCapacity", outboundRingCapacity);
            if (batchLimit < 1) {
                throw new IllegalArgumentException("batchLimit must be at least 1, got " + batchLimit);
            }
            Objects.requireNonNull(idleStrategySupplier, "idleStrategySupplier");
            requireCpus();
            if (controlQueueCapacity < 2 || !BitUtil.isPowerOfTwo(controlQueueCapacity)) {
                throw new IllegalArgumentException(
                        "controlQueueCapacity must be a power of two, at least 2, got " + controlQueueCapacity);
            }
            if (controlOfferTimeoutNs < 0) {
                throw new IllegalArgumentException("controlOfferTimeoutNs must not be negative, got " + controlOfferTimeoutNs);
            }
            if (maxPorts < 1 || maxPorts > PortTag.MAX_SLOTS) {
                throw new IllegalArgumentException(
                        "maxPorts must be within 1.." + PortTag.MAX_SLOTS + ", got " + maxPorts);
            }
            if (maxHubHops < 1) {
                throw new IllegalArgumentException("maxHubHops must be at least 1, got " + maxHubHops);
            }
            Objects.requireNonNull(errorHandler, "errorHandler");
            concluded = true;
            return this;
        }

        private static void requireRingCapacity(String name, int capacity) {
            if (capacity < RingBufferDescriptor.TRAILER_LENGTH || !BitUtil.isPowerOfTwo(capacity)) {
                throw new IllegalArgumentException(name + " must be a power of two of at least "
                        + RingBufferDescriptor.TRAILER_LENGTH + " bytes (the ring's data; Agrona's "
                        + RingBufferDescriptor.TRAILER_LENGTH + "-byte trailer is added to it), got " + capacity);
            }
        }

        /** Agrona rings carry messages of up to an eighth of their capacity. */
        private void requireFrameFits(String name, int capacity) {
            if (maxFrameLength > capacity / 8) {
                throw new IllegalArgumentException("maxFrameLength " + maxFrameLength + " does not fit " + name + " "
                        + capacity + ": a ring carries messages of up to 1/8 of its capacity; make " + name
                        + " at least " + BitUtil.findNextPositivePowerOfTwo(maxFrameLength * 8)
                        + " or maxFrameLength at most " + capacity / 8);
            }
        }

        private void requireCpus() {
            Objects.requireNonNull(agentCpus, "agentCpus");
            if (agentCpus.length == 0) {
                return;
            }
            if (!CpuAffinity.isSupported()) {
                throw new IllegalArgumentException("agentCpus needs Linux (sched_setaffinity); leave it empty on "
                        + System.getProperty("os.name"));
            }
            boolean[] seen = new boolean[CpuAffinity.CPU_SETSIZE];
            for (int cpu : agentCpus) {
                if (cpu < 0 || cpu >= CpuAffinity.CPU_SETSIZE) {
                    throw new IllegalArgumentException(
                            "agentCpus: CPU " + cpu + " is outside 0.." + (CpuAffinity.CPU_SETSIZE - 1));
                }
                if (seen[cpu]) {
                    throw new IllegalArgumentException("agentCpus lists CPU " + cpu + " twice");
                }
                seen[cpu] = true;
            }
        }

        /** Bytes of the inbound ring's data, a power of two; default {@link #INBOUND_RING_CAPACITY_DEFAULT}. */
        /** Where backends announce events (a stream connected, disconnected); by default only logged. */
        public Context eventPublisher(NetEventPublisher publisher) {
            this.eventPublisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        public NetEventPublisher eventPublisher() {
            return eventPublisher;
        }

        public Context inboundRingCapacity(int capacity) {
            this.inboundRingCapacity = capacity;
            return this;
        }

        public int inboundRingCapacity() {
            return inboundRingCapacity;
        }

        /** Bytes of each endpoint ring's data, a power of two; default {@link #OUTBOUND_RING_CAPACITY_DEFAULT}. */
        public Context outboundRingCapacity(int capacity) {
            this.outboundRingCapacity = capacity;
            return this;
        }

        public int outboundRingCapacity() {
            return outboundRingCapacity;
        }

        /**
         * The longest frame an endpoint may offer; at most an eighth of either ring's capacity.
         * Default {@link #MAX_FRAME_LENGTH_DEFAULT}.
         */
        public Context maxFrameLength(int length) {
            this.maxFrameLength = length;
            return this;
        }

        public int maxFrameLength() {
            return maxFrameLength;
        }

        /**
         * Frames forwarded per duty cycle at most: bounds how long a control operation waits behind
         * traffic. Default {@link #BATCH_LIMIT_DEFAULT}.
         */
        public Context batchLimit(int limit) {
            this.batchLimit = limit;
            return this;
        }

        public int batchLimit() {
            return batchLimit;
        }

        /**
         * Makes the idle strategy of each agent: {@link #defaultIdleStrategy()} (back-off) by default,
         * {@link org.agrona.concurrent.BusySpinIdleStrategy} for dedicated cores,
         * {@link org.agrona.concurrent.SleepingIdleStrategy} to use the least CPU.
         */
        public Context idleStrategySupplier(Supplier<IdleStrategy> supplier) {
            this.idleStrategySupplier = supplier;
            return this;
        }

        public Supplier<IdleStrategy> idleStrategySupplier() {
            return idleStrategySupplier;
        }

        /**
         * CPUs the data plane's agents are pinned to (the switching agent may run on any of them);
         * empty, the default, pins nothing. Linux only.
         */
        public Context agentCpus(int... cpus) {
            this.agentCpus = cpus.clone();
            return this;
        }

        public int[] agentCpus() {
            return agentCpus.clone();
        }

        /** Control operations the queue holds, a power of two; default {@link #CONTROL_QUEUE_CAPACITY_DEFAULT}. */
        public Context controlQueueCapacity(int capacity) {
            this.controlQueueCapacity = capacity;
            return this;
        }

        public int controlQueueCapacity() {
            return controlQueueCapacity;
        }

        /**
         * How long a control call backs off and retries when the queue is full before it fails with
         * an {@link IllegalStateException}; 0 fails after one retry. Default one second.
         */
        public Context controlOfferTimeoutNs(long timeoutNs) {
            this.controlOfferTimeoutNs = timeoutNs;
            return this;
        }

        public long controlOfferTimeoutNs() {
            return controlOfferTimeoutNs;
        }

        /**
         * Ports (hubports and endpoints) open at once, up to {@value PortTag#MAX_SLOTS}; sizes the
         * counters buffer. Default {@link #MAX_PORTS_DEFAULT}.
         */
        public Context maxPorts(int ports) {
            this.maxPorts = ports;
            return this;
        }

        public int maxPorts() {
            return maxPorts;
        }

        /**
         * Hubs a frame may cross before it is dropped as looping (a frame re-entering a hub it crossed
         * is dropped regardless). Default {@link #MAX_HUB_HOPS_DEFAULT}.
         */
        public Context maxHubHops(int hops) {
            this.maxHubHops = hops;
            return this;
        }

        public int maxHubHops() {
            return maxHubHops;
        }

        /** Where agents report errors; by default they are logged. */
        public Context errorHandler(ErrorHandler handler) {
            this.errorHandler = handler;
            return this;
        }

        public ErrorHandler errorHandler() {
            return errorHandler;
        }
    }
}
