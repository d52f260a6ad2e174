package io.vnetd.dataplane;

import io.vnetd.dataplane.affinity.CpuAffinity;
import io.vnetd.dataplane.backend.Backends;
import io.vnetd.dataplane.backend.IoAgent;
import io.vnetd.dataplane.backend.dgram.DgramBackends;
import io.vnetd.dataplane.backend.l2tpv3.L2tpv3Backends;
import io.vnetd.dataplane.backend.socket.SocketBackends;
import io.vnetd.dataplane.backend.stream.StreamBackends;
import io.vnetd.dataplane.backend.vhostuser.VhostUserBackends;
import io.vnetd.dataplane.backend.tap.TapBackends;
import io.vnetd.dataplane.counters.BackendCountersSnapshot;
import io.vnetd.dataplane.counters.CounterStore;
import io.vnetd.dataplane.counters.PortCounters;
import io.vnetd.dataplane.counters.SwitchCountersSnapshot;
import io.vnetd.dataplane.filter.FrameFilter;
import io.vnetd.dataplane.filter.VirtioRxFilter;
import io.vnetd.dataplane.guest.GuestObserver;
import io.vnetd.dataplane.guest.TapGuest;
import io.vnetd.dataplane.guest.TapGuests;
import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.dataplane.idle.Sleeper;
import io.vnetd.dataplane.idle.WakeableIdleStrategy;
import io.vnetd.dataplane.port.ControlChannel;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.PortRegistry;
import io.vnetd.dataplane.port.RingBuffers;
import io.vnetd.dataplane.switching.ControlOp;
import io.vnetd.dataplane.switching.PortTag;
import io.vnetd.dataplane.switching.SwitchingAgent;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.port.PortControl;
import io.vnetd.model.service.NetEventPublisher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
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
 * <p>Netdevs with host sockets or tap interfaces ({@code socket}, {@code stream}, {@code dgram},
 * {@code l2tpv3}, {@code tap}, {@code bridge}) are backends: {@link #open} acquires the socket or tap
 * on the caller's thread, so QEMU's synchronous errors reach the command, and once
 * {@link #activate}d (after the command is answered) an {@link IoAgent} moves frames between it and
 * the backend's endpoint port.
 *
 * <p>{@link #create} builds a data plane without threads (tests step {@link #switchingAgent()} and
 * {@link #ioAgents()} themselves); {@link #start} runs the agents on threads of their own or one
 * shared thread ({@link Context#threadingMode}); {@link #launch} does both.
 */
public final class DataPlane implements PortControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);

    /** The name of the thread that runs every agent in {@link ThreadingMode#SHARED}. */
    public static final String SHARED_ROLE_NAME = "vnetd-dataplane";

    private static final String NIC_PREFIX = "nic:";

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final Context ctx;
    private final CounterStore counters = new CounterStore();
    private final ControlChannel<ControlOp> control;
    private final PortRegistry registry;
    private final SwitchingAgent agent;
    private final List<IoAgent> ioAgents;
    private final Backends backends;
    private final List<AgentRunner> runners;
    /** The idle strategies whose threads sleep: woken for good when the data plane closes. */
    private final List<WakeableIdleStrategy> sleepers;
    private final AtomicInteger state = new AtomicInteger(NEW);
    /** The guest side of every open NIC, by NIC name; written by actor threads. */
    private final Map<String, EndpointPort> guestSides = new ConcurrentHashMap<>();
    /** Where NICs' tap guests report what their guests ask for; none until the control plane is there. */
    private volatile GuestObserver guestObserver;

    private DataPlane(Context ctx) {
        this.ctx = ctx;
        ManyToOneConcurrentArrayQueue<ControlOp> controlQueue =
                new ManyToOneConcurrentArrayQueue<>(ctx.controlQueueCapacity());
        ManyToOneRingBuffer inbound = new ManyToOneRingBuffer(RingBuffers.allocate(ctx.inboundRingCapacity()));

        // One idle strategy per thread; where it can sleep, its doorbell wakes the thread's agents.
        boolean shared = ctx.threadingMode() == ThreadingMode.SHARED;
        IdleStrategy switchIdle = ctx.idleStrategySupplier().get();
        List<IdleStrategy> ioIdles = new ArrayList<>();
        for (int i = 0; i < ctx.ioAgentCount(); i++) {
            ioIdles.add(shared ? switchIdle : ctx.idleStrategySupplier().get());
        }
        Doorbell switchDoorbell = doorbellOf(switchIdle);
        Doorbell[] ioDoorbells = ioIdles.stream().map(DataPlane::doorbellOf).toArray(Doorbell[]::new);
        Doorbell deliveries = ioDoorbells.length == 1 ? ioDoorbells[0] : () -> {
            for (Doorbell doorbell : ioDoorbells) {
                doorbell.ring();
            }
        };

        this.control = new ControlChannel<>(controlQueue, ctx.controlOfferTimeoutNs(), switchDoorbell,
                "data plane control queue", "the switching agent");
        this.agent = new SwitchingAgent(ctx, controlQueue, inbound, counters, deliveries);
        this.registry = new PortRegistry(control, inbound, agent::forward, ctx.maxPorts(), ctx.outboundRingCapacity(),
                ctx.maxFrameLength(), switchDoorbell);
        List<IoAgent> io = new ArrayList<>();
        for (int i = 0; i < ctx.ioAgentCount(); i++) {
            io.add(new IoAgent(i, ctx, ioDoorbells[i], switchDoorbell, agent::hasWork,
                    shared ? agent::publishCounts : IoAgent.NO_SWITCHED_COUNTS));
        }
        this.ioAgents = List.copyOf(io);
        // A backend's frames are offered by its I/O agent: on the switching agent's thread when they share it.
        this.backends = new Backends(ctx, shared ? registry::attachSwitchThreadEndpoint : registry::attachEndpoint,
                counters, ioAgents);

        List<AgentRunner> threads = new ArrayList<>();
        if (shared) {
            IoAgent only = ioAgents.getFirst();
            bind(switchIdle, new Sleeper() {
                @Override
                public boolean hasWork() {
                    return agent.hasWork() || only.hasWork();
                }

                @Override
                public void sleep(long nanos) {
                    only.sleep(nanos);
                }

                @Override
                public void wake() {
                    only.wake();
                }
            });
            threads.add(runner(switchIdle, new SharedAgent(agent, only)));
        } else {
            bind(switchIdle, agent);
            threads.add(runner(switchIdle, agent));
            for (int i = 0; i < ioAgents.size(); i++) {
                bind(ioIdles.get(i), ioAgents.get(i));
                threads.add(runner(ioIdles.get(i), ioAgents.get(i)));
            }
        }
        this.runners = List.copyOf(threads);
        this.sleepers = Stream.concat(Stream.of(switchIdle), ioIdles.stream()).distinct()
                .filter(WakeableIdleStrategy.class::isInstance).map(WakeableIdleStrategy.class::cast).toList();
    }

    private static Doorbell doorbellOf(IdleStrategy idle) {
        return idle instanceof WakeableIdleStrategy wakeable ? wakeable : Doorbell.NONE;
    }

    private static void bind(IdleStrategy idle, Sleeper sleeper) {
        if (idle instanceof WakeableIdleStrategy wakeable) {
            wakeable.bind(sleeper);
        }
    }

    private AgentRunner runner(IdleStrategy idle, Agent runs) {
        ErrorHandler reported = ctx.errorHandler();
        return new AgentRunner(idle, error -> {
            agent.countError();
            reported.onError(error);
        }, null, runs);
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
     * Runs the switching agent and the I/O agents, each on its own thread or all on one
     * ({@link Context#threadingMode}), pinned to {@link Context#agentCpus} if any, and returns once
     * they have started.
     *
     * @throws IllegalStateException if already started or closed, or if an agent could not be pinned
     *                               (the data plane is closed then)
     */
    public DataPlane start() {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("data plane already " + (state.get() == CLOSED ? "closed" : "started"));
        }
        try {
            // The switching agent's thread (or the shared one) first: if it cannot be pinned, no other starts.
            AgentRunner.startOnThread(runners.getFirst());
            agent.awaitStarted();
            runners.subList(1, runners.size()).forEach(AgentRunner::startOnThread);
            ioAgents.forEach(IoAgent::awaitStarted);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("data plane started: {} and {} I/O agent(s) on {} thread(s), {}", SwitchingAgent.ROLE_NAME,
                ioAgents.size(), runners.size(),
                ctx.agentCpus().length == 0 ? "any CPU" : "CPUs " + Arrays.toString(ctx.agentCpus()));
        return this;
    }

    /**
     * Releases every backend's sockets, stops the agents, closes every port and frees its counters.
     * Ring memory goes with the last reference to it, so an I/O thread still holding an
     * {@link EndpointPort} cannot touch freed memory. The switch's own counters stay readable.
     */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) != CLOSED) {
            backends.shutDown();
            registry.shutDown();
            sleepers.forEach(WakeableIdleStrategy::stopSleeping);
            runners.forEach(AgentRunner::close);
        }
    }

    public Context context() {
        return ctx;
    }

    /** The switching agent, for a caller that runs its duty cycle itself instead of {@link #start}. */
    public SwitchingAgent switchingAgent() {
        return agent;
    }

    /** The I/O agents serving backends, for a caller that runs their duty cycles itself instead of {@link #start}. */
    public List<IoAgent> ioAgents() {
        return ioAgents;
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
            case NetdevConfig.Socket socket -> backends.open(socket, SocketBackends::open);
            case NetdevConfig.Stream stream -> backends.open(stream, StreamBackends::open);
            case NetdevConfig.Dgram dgram -> backends.open(dgram, DgramBackends::open);
            case NetdevConfig.Tap tap -> backends.open(tap, TapBackends::open);
            case NetdevConfig.Bridge bridge -> backends.open(bridge, TapBackends::open);
            case NetdevConfig.L2tpv3 l2tpv3 -> backends.open(l2tpv3, L2tpv3Backends::open);
            case NetdevConfig.VhostUserPort vhostUser -> backends.open(vhostUser, VhostUserBackends::open);
            // vnetd has no chardev-add: no chardev of any name exists, and QEMU says so.
            case NetdevConfig.VhostUser vhostUser ->
                    throw NetException.generic("chardev \"" + vhostUser.chardev() + "\" not found");
            case NetdevConfig.VhostVdpa vdpa -> throw vdpaUnavailable(vdpa);
            // netdev_add's rules refuse a type without a backend before any port is opened.
            case NetdevConfig.Unsupported unsupported -> throw new IllegalArgumentException(
                    "netdev '" + unsupported.id() + "': no backend of type " + unsupported.driver());
        }
    }

    @Override
    public void activate(NetClientRef client) {
        Objects.requireNonNull(client, "client");
        requireNotClosed();
        backends.activate(portName(client));
    }

    /**
     * vDPA needs a guest's memory to map, which vnetd does not have: a missing device is reported as
     * QEMU reports it, a present one as unusable here. A descriptor is never vnetd's to take, and
     * QEMU puts its prefix before that refusal.
     */
    private static NetException vdpaUnavailable(NetdevConfig.VhostVdpa vdpa) {
        if (vdpa.vhostfd().isPresent()) {
            return NetException.generic("vhost-vdpa: unable to parse vhostfd: "
                    + SocketBackends.fdUnavailable(vdpa.vhostfd().get()).desc());
        }
        String device = vdpa.vhostdev().orElse(NetdevConfig.VhostVdpa.DEFAULT_DEVICE);
        if (!java.nio.file.Files.exists(java.nio.file.Path.of(device))) {
            return NetException.generic("Could not open '" + device + "': No such file or directory");
        }
        return NetException.generic("vhost-vdpa: vnetd cannot drive '" + device + "': it has no guest memory to map");
    }

    /**
     * A NIC's port: its guest side is an endpoint whose frames the guest port drains, filtered by the
     * NIC's receive filter. Re-opening an open NIC keeps its port and replaces the filter.
     */
    @Override
    public void openNic(NicConfig config, RxFilter filter) {
        Objects.requireNonNull(config, "config");
        requireNotClosed();
        String name = portName(NetClientRef.nic(config.name()));
        if (config.guest().isPresent()) {
            // A tap guest: the port is its backend's, served once the NIC is activated.
            backends.openOwn(name, env -> TapGuests.open(config, filter, name, env, () -> guestObserver));
            guestSides.computeIfAbsent(config.name(), nic -> backends.port(name).orElseThrow());
        } else {
            guestSides.computeIfAbsent(config.name(), nic -> registry.attachEndpoint(name));
        }
        setRxFilter(config.name(), filter);
    }

    /**
     * Has NICs' tap guests report to {@code observer} what their guests ask for (the control plane
     * journals it and sets the filter back here). Reports made before there was one are made again
     * within {@link TapGuest#REREAD_INTERVAL_NS}.
     */
    public void observeGuests(GuestObserver observer) {
        this.guestObserver = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void setRxFilter(String nic, RxFilter filter) {
        send(new ControlOp.SetRxFilter(portName(NetClientRef.nic(nic)), VirtioRxFilter.of(filter)));
    }

    /** Sends {@code frame} from the NIC's port, through the same link and peer checks as its guest's frames. */
    @Override
    public void inject(String nic, byte[] frame) {
        EndpointPort guestSide = guestSides.get(nic);
        if (guestSide == null) {
            return;
        }
        if (guestSide.offer(new UnsafeBuffer(frame), 0, frame.length)) {
            guestSide.notifySwitch();
        } else {
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
        backends.close(portName(client));
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

    /**
     * QEMU's {@code info_str} of a backend as it is now ({@code socket: udp=127.0.0.1:1234},
     * {@code tcp:127.0.0.1:40000}, {@code connection error}, ...); hubports and NICs describe
     * themselves elsewhere, so theirs is empty. Any thread.
     */
    @Override
    public String describe(NetClientRef client) {
        return client.kind() == NetClientRef.Kind.NETDEV ? backends.describe(client.name()).orElse("") : "";
    }

    /**
     * Attaches a backend or a NIC's guest side as endpoint port {@code name}: link up, no peer, accept
     * all frames. The port is usable at once; {@link EndpointPort#close()} or {@link #close(String)}
     * detaches it.
     *
     * @throws IllegalStateException if {@code name} is open already
     * @throws io.vnetd.model.error.NetException if {@link Context#maxPorts} ports are open
     */
    public EndpointPort attachEndpoint(String name) {
        Objects.requireNonNull(name, "name");
        requireNotClosed();
        return registry.attachEndpoint(name);
    }

    /**
     * Opens hubport {@code name} on hub {@code hubId} for a part of the data plane itself rather than a
     * net client (the cluster link's uplinks, {@code io.vnetd.dataplane.link}); nothing if it is open
     * on that hub already. Such names must be ones no net client can have: netdev ids never hold a
     * {@code '/'}.
     *
     * @throws IllegalStateException if {@code name} is open as something else
     * @throws io.vnetd.model.error.NetException if {@link Context#maxPorts} ports are open
     */
    public void openHubport(String name, int hubId) {
        Objects.requireNonNull(name, "name");
        requireNotClosed();
        registry.openHubport(name, hubId);
    }

    /**
     * Peers ports {@code a} and {@code b} by port name, as {@link #connect(NetClientRef, NetClientRef)}
     * peers net clients' ports (effective once both are open), for ports opened with
     * {@link #openHubport} and {@link #attachEndpoint}.
     */
    public void connectPorts(String a, String b) {
        send(new ControlOp.Connect(a, b));
    }

    /**
     * Closes port {@code name}, whatever it is, leaving its peer peerless; nothing if it is not open,
     * or if the data plane has closed (every port went with it), so that a component of its own may
     * close after it.
     */
    public void close(String name) {
        Objects.requireNonNull(name, "name");
        if (state.get() != CLOSED) {
            registry.close(name);
        }
    }

    /**
     * Replaces the receive filter of endpoint port {@code name}, applied to every frame delivered to
     * it from then on; {@link FrameFilter#ACCEPT_ALL} removes it.
     *
     * @throws IllegalArgumentException if {@code name} is a hubport
     */
    public void setPortRxFilter(String name, FrameFilter filter) {
        ControlOp op = new ControlOp.SetRxFilter(name, filter);
        if (registry.isHubport(name)) {
            throw new IllegalArgumentException("rx-filters apply to endpoint ports; '" + name + "' is a hubport");
        }
        send(op);
    }

    /**
     * The counters of port {@code name} (those only backends count are 0), or nothing if no such port is
     * open. Any thread.
     */
    public Optional<NetClientCounters> counters(String name) {
        PortCounters counters = agent.portCounters().get(name);
        if (counters == null) {
            // Opened, and its answer sent, before the agent took it: nothing is counted yet, so a listing
            // right after netdev_add shows the port's zeros rather than a net client without counters.
            return registry.isOpen(name) ? Optional.of(NetClientCounters.ZERO) : Optional.empty();
        }
        return counters.snapshot();
    }

    /** The counters of every open port, by name in order. Any thread. */
    public SortedMap<String, NetClientCounters> counters() {
        SortedMap<String, NetClientCounters> snapshots = new TreeMap<>();
        agent.portCounters().forEach((name, counters) ->
                counters.snapshot().ifPresent(snapshot -> snapshots.put(name, snapshot)));
        return snapshots;
    }

    /**
     * A net client's counters for listings: what its port counts plus, for a netdev, what its backend
     * counts (each {@link io.vnetd.model.netclient.NetClientCounter} says where it is counted). Any thread.
     */
    @Override
    public Optional<NetClientCounters> counters(NetClientRef client) {
        NetClientCounters backend = backends.counters(portName(client)).map(BackendCountersSnapshot::counters)
                .orElse(NetClientCounters.ZERO);
        return counters(portName(client)).map(port -> port.plus(backend));
    }

    /** The I/O counters of backend {@code name}, or nothing if no such backend is open. Any thread. */
    public Optional<BackendCountersSnapshot> backendCounters(String name) {
        return backends.counters(name);
    }

    /** The I/O counters of every open backend, by name. Any thread. */
    public List<BackendCountersSnapshot> backendCounters() {
        List<BackendCountersSnapshot> snapshots = new ArrayList<>(backends.counters());
        snapshots.sort(Comparator.comparing(BackendCountersSnapshot::name));
        return snapshots;
    }

    /** The switching agent's own counters. Any thread. */
    public SwitchCountersSnapshot switchCounters() {
        return agent.switchCounters();
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
     * Every agent on one thread ({@link ThreadingMode#SHARED}): each duty cycle switches, then serves
     * the sockets, so frames cross no thread on their way through the node.
     */
    private record SharedAgent(SwitchingAgent switching, IoAgent io) implements Agent {
        @Override
        public String roleName() {
            return SHARED_ROLE_NAME;
        }

        @Override
        public void onStart() {
            switching.onStart();
            io.onStart();
        }

        @Override
        public int doWork() {
            return switching.doWork() + io.doWork();
        }

        @Override
        public void onClose() {
            try {
                io.onClose();
            } finally {
                switching.onClose();
            }
        }
    }

    /**
     * The data plane's settings, each with a documented default: the {@code *_DEFAULT} constants,
     * which the daemon's {@code reference.conf} ({@code vnetd.dataplane}) repeats. Setters return the
     * context for chaining; {@link #conclude()} validates the settings together, as every vnetd
     * context does (see the README's Configuration).
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

        /**
         * {@value}: hubports and endpoints open at once, as many as a port tag can name. Nothing is sized
         * for it up front: tables and counters grow with the ports open.
         */
        public static final int MAX_PORTS_DEFAULT = PortTag.MAX_SLOTS;

        /** {@value}: hubs a frame may cross (through hubport-to-hubport peerings). */
        public static final int MAX_HUB_HOPS_DEFAULT = 8;

        /** {@value}: agents serving the backends' sockets. */
        public static final int IO_AGENT_COUNT_DEFAULT = 1;

        /** {@value}: datagrams per {@code recvmmsg}/{@code sendmmsg}. */
        public static final int IO_BATCH_LENGTH_DEFAULT = 64;

        /** {@value}: Linux's {@code UIO_MAXIOV}, the most messages one {@code recvmmsg} takes. */
        public static final int IO_BATCH_LENGTH_MAX = 1024;

        /** {@value}: bytes a stream connection reads or writes per call (256 KiB). */
        public static final int IO_BUFFER_LENGTH_DEFAULT = 256 * 1024;

        /** {@value}: receive buffer of each datagram backend's socket (1 MiB). */
        public static final int DATAGRAM_RECEIVE_BUFFER_LENGTH_DEFAULT = 1024 * 1024;

        /** 50 µs: how long a stream connection may hold its writes while the switch has frames to forward. */
        public static final long STREAM_COALESCE_NS_DEFAULT = TimeUnit.MICROSECONDS.toNanos(50);

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
        private int ioAgentCount = IO_AGENT_COUNT_DEFAULT;
        private int ioBatchLength = IO_BATCH_LENGTH_DEFAULT;
        private int ioBufferLength = IO_BUFFER_LENGTH_DEFAULT;
        private int datagramReceiveBufferLength = DATAGRAM_RECEIVE_BUFFER_LENGTH_DEFAULT;
        private long streamCoalesceNs = STREAM_COALESCE_NS_DEFAULT;
        private ThreadingMode threadingMode = ThreadingMode.SHARED;
        private ErrorHandler errorHandler = t -> LOG.error("data plane error", t);
        private NetEventPublisher eventPublisher = event -> LOG.debug("no event publisher: {}", event);

        /**
         * The default idle strategy ({@link WakeableIdleStrategy}): 10 spins and 2 yields, then a sleep
         * of at most 10 ms that whoever hands the agent work ends at once. Next to no CPU when idle, no
         * wait for a frame; few yields, because on oversubscribed cores a yield gives the rest of the
         * time slice to any other process, which costs more than sleeping and being woken.
         */
        public static IdleStrategy defaultIdleStrategy() {
            return new WakeableIdleStrategy(10, 2, TimeUnit.MILLISECONDS.toNanos(10));
        }

        /**
         * Validates the settings and marks the context as taken: {@link DataPlane#create} concludes it,
         * and a context configures one data plane.
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
            if (ioAgentCount < 1) {
                throw new IllegalArgumentException("ioAgentCount must be at least 1, got " + ioAgentCount);
            }
            if (ioBatchLength < 1 || ioBatchLength > IO_BATCH_LENGTH_MAX) {
                throw new IllegalArgumentException(
                        "ioBatchLength must be within 1.." + IO_BATCH_LENGTH_MAX + ", got " + ioBatchLength);
            }
            if (ioBufferLength < maxFrameLength + 4) {
                throw new IllegalArgumentException("ioBufferLength " + ioBufferLength + " cannot hold a frame of"
                        + " maxFrameLength " + maxFrameLength + " and its 4-byte length: make it at least "
                        + (maxFrameLength + 4));
            }
            if (datagramReceiveBufferLength < 0) {
                throw new IllegalArgumentException(
                        "datagramReceiveBufferLength must not be negative, got " + datagramReceiveBufferLength);
            }
            if (streamCoalesceNs < 0) {
                throw new IllegalArgumentException("streamCoalesceNs must not be negative, got " + streamCoalesceNs);
            }
            Objects.requireNonNull(threadingMode, "threadingMode");
            if (threadingMode == ThreadingMode.SHARED && ioAgentCount != 1) {
                throw new IllegalArgumentException("threadingMode SHARED runs one I/O agent, got ioAgentCount "
                        + ioAgentCount + ": use DEDICATED for more");
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

        /** Where backends announce events (a stream connected, disconnected); by default only logged. */
        public Context eventPublisher(NetEventPublisher publisher) {
            this.eventPublisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        public NetEventPublisher eventPublisher() {
            return eventPublisher;
        }

        /** Bytes of the inbound ring's data, a power of two; default {@link #INBOUND_RING_CAPACITY_DEFAULT}. */
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
         * Frames forwarded from the inbound ring per duty cycle at most: bounds how long a control
         * operation waits behind traffic (frames a backend hands over on the switching agent's thread
         * are forwarded at once, after the operations queued so far). Default {@link #BATCH_LIMIT_DEFAULT}.
         */
        public Context batchLimit(int limit) {
            this.batchLimit = limit;
            return this;
        }

        public int batchLimit() {
            return batchLimit;
        }

        /**
         * Makes the idle strategy of each agent thread: {@link #defaultIdleStrategy()} (back-off, then a
         * sleep its doorbell ends) by default, {@link org.agrona.concurrent.BusySpinIdleStrategy} for
         * dedicated cores. Any other Agrona strategy works too but is never woken: its sleeps are
         * latency.
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
         * Ports (hubports and endpoints) open at once, up to {@value PortTag#MAX_SLOTS}: a cap, not a
         * size (nothing is allocated for it). Default {@link #MAX_PORTS_DEFAULT}.
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

        /**
         * Agents serving the backends' sockets; each backend is served by the one with the fewest when
         * it opens. Default {@link #IO_AGENT_COUNT_DEFAULT}.
         */
        public Context ioAgentCount(int count) {
            this.ioAgentCount = count;
            return this;
        }

        public int ioAgentCount() {
            return ioAgentCount;
        }

        /**
         * Datagrams a datagram backend reads with one {@code recvmmsg} or writes with one
         * {@code sendmmsg}, within 1..{@value #IO_BATCH_LENGTH_MAX}; each I/O agent keeps this many
         * receive buffers of {@link #maxFrameLength}. Default {@link #IO_BATCH_LENGTH_DEFAULT}.
         */
        public Context ioBatchLength(int length) {
            this.ioBatchLength = length;
            return this;
        }

        public int ioBatchLength() {
            return ioBatchLength;
        }

        /**
         * Bytes a stream connection reads with one call and writes with one call (it has a buffer of
         * each); at least {@link #maxFrameLength} + 4. Default {@link #IO_BUFFER_LENGTH_DEFAULT}.
         */
        public Context ioBufferLength(int length) {
            this.ioBufferLength = length;
            return this;
        }

        public int ioBufferLength() {
            return ioBufferLength;
        }

        /**
         * Bytes of the receive buffer ({@code SO_RCVBUF}) of each datagram backend's socket, so that a
         * burst waits for the agent instead of being dropped (QEMU leaves the system's default, about
         * 200 KiB, a few hundred small datagrams); 0 leaves the default too. The kernel caps it at
         * {@code net.core.rmem_max}. Default {@link #DATAGRAM_RECEIVE_BUFFER_LENGTH_DEFAULT}.
         */
        public Context datagramReceiveBufferLength(int length) {
            this.datagramReceiveBufferLength = length;
            return this;
        }

        public int datagramReceiveBufferLength() {
            return datagramReceiveBufferLength;
        }

        /**
         * How long a stream connection may hold frames delivered to it, while the switching agent still
         * has frames to forward, so that one {@code send} carries those of many duty cycles (a write
         * buffer that fills is sent at once); 0 sends after every duty cycle. On loopback one
         * {@code send} costs about as much as switching a few hundred 64-byte frames. Default
         * {@link #STREAM_COALESCE_NS_DEFAULT}.
         */
        public Context streamCoalesceNs(long nanos) {
            this.streamCoalesceNs = nanos;
            return this;
        }

        public long streamCoalesceNs() {
            return streamCoalesceNs;
        }

        /**
         * Whether the switching agent and the I/O agent share one thread ({@link ThreadingMode#SHARED},
         * the default: frames cross no thread nor, between backends, any ring, an idle node has one
         * thread to wake, the cheapest on a few shared cores) or get a thread each ({@link ThreadingMode#DEDICATED}: several I/O agents,
         * cores of their own).
         */
        public Context threadingMode(ThreadingMode mode) {
            this.threadingMode = mode;
            return this;
        }

        public ThreadingMode threadingMode() {
            return threadingMode;
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
