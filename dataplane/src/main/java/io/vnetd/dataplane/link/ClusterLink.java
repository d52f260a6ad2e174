package io.vnetd.dataplane.link;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.dataplane.port.ControlChannel;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.port.HubLink;
import io.vnetd.model.port.LinkCounters;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the parts of hubs that span vnetd nodes: each node's part of such a hub gets one uplink (an
 * internal hubport on the hub peered with an internal endpoint), and a {@link LinkAgent} sends what
 * the hub delivers to the uplink to every other node of the hub's span over Aeron UDP (one
 * publication per peer node), and offers what peers send into the uplink, so that the local hub
 * hands it to its local ports only. With one uplink per hub per node and a full mesh of
 * publications, a frame reaches every other port of the hub once and never comes back.
 *
 * <p>The control plane names where each peer node's link listens ({@link #peer}, {@link #removePeer})
 * and which hubs have ports on which other nodes ({@link #span}), from any thread. Each call opens or
 * closes the uplink's ports on the caller's thread (so a data plane out of port slots fails the
 * call) and hands the rest to the agent through a bounded queue; it never waits for the agent or
 * the network, except for room in a full queue (see {@link Context#controlOfferTimeoutNs}).
 *
 * <p>{@link #create} builds the link, its media driver (embedded by default) and its subscription
 * without starting the agent (a test steps {@link #agent()}); {@link #start} runs it on thread
 * {@value LinkAgent#ROLE_NAME}; {@link #launch} does both.
 */
public final class ClusterLink implements HubLink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLink.class);

    /** Every port the link opens starts with it: QEMU ids hold no {@code '/'}, so no net client's name can. */
    public static final String PORT_PREFIX = "__link/";

    private final DataPlane dataPlane;
    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final LinkAgent agent;
    private final ControlChannel<LinkOp> control;
    private final int localPort;
    /** Every node ever named, by name: the agent's {@link PeerLink}s and their counters. */
    private final Map<String, PeerLink> peers = new ConcurrentHashMap<>();
    // The control side's view, guarded by this: what it last told the agent.
    private final Map<Long, String> nodesById = new HashMap<>();
    private final Map<String, String> channels = new HashMap<>();
    private final Map<Integer, Set<String>> spans = new HashMap<>();
    private final Map<Integer, EndpointPort> uplinks = new HashMap<>();
    private AgentRunner runner;
    private boolean closed;

    private ClusterLink(DataPlane dataPlane, Context ctx) {
        this.dataPlane = dataPlane;
        this.ctx = ctx;
        MediaDriver launched = null;
        Aeron client = null;
        try {
            if (ctx.launchEmbeddedDriver()) {
                launched = MediaDriver.launch(new MediaDriver.Context()
                        .aeronDirectoryName(ctx.aeronDirectoryName())
                        .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                        .sharedIdleStrategy(ctx.driverIdleStrategySupplier().get())
                        // The embedded driver owns its directory: what a killed process left there is stale.
                        .dirDeleteOnStart(true)
                        .dirDeleteOnShutdown(true)
                        .errorHandler(ctx.errorHandler()));
            }
            client = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(ctx.aeronDirectoryName())
                    .errorHandler(ctx.errorHandler()));
            Subscription subscription = client.addSubscription(
                    "aeron:udp?endpoint=" + endpoint(ctx.endpointHost(), ctx.endpointPort()), ctx.streamId());
            this.localPort = boundPort(subscription);
            ManyToOneConcurrentArrayQueue<LinkOp> queue = new ManyToOneConcurrentArrayQueue<>(ctx.controlQueueCapacity());
            this.agent = new LinkAgent(client, subscription, queue, ctx.streamId(), ctx.batchLimit(),
                    dataPlane.context().maxFrameLength(), PeerLink.idOf(ctx.node()), ctx.errorHandler());
            this.control = new ControlChannel<>(queue, ctx.controlOfferTimeoutNs(), Doorbell.NONE,
                    "cluster link control queue", "the link agent");
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(client, launched);
            throw e;
        }
        this.driver = launched;
        this.aeron = client;
        nodesById.put(PeerLink.idOf(ctx.node()), ctx.node());
    }

    /**
     * Concludes {@code ctx} and builds a link for {@code dataPlane} whose agent is not running yet.
     *
     * @throws IllegalArgumentException if a setting is bad, or a message of {@link Context#termBufferLength}
     *                                  cannot hold the data plane's longest frame
     */
    public static ClusterLink create(DataPlane dataPlane, Context ctx) {
        Objects.requireNonNull(dataPlane, "dataPlane");
        ctx.conclude();
        int message = LinkAgent.HUB_ID_LENGTH + dataPlane.context().maxFrameLength();
        // Aeron carries messages of up to an eighth of a term.
        if (ctx.termBufferLength() / 8 < message) {
            throw new IllegalArgumentException("termBufferLength " + ctx.termBufferLength() + " carries messages of up to "
                    + ctx.termBufferLength() / 8 + " bytes, fewer than the data plane's maxFrameLength "
                    + dataPlane.context().maxFrameLength() + " and the " + LinkAgent.HUB_ID_LENGTH
                    + "-byte hub id: make it at least " + BitUtil.findNextPositivePowerOfTwo(message * 8));
        }
        return new ClusterLink(dataPlane, ctx);
    }

    /** {@link #create} then {@link #start}. */
    public static ClusterLink launch(DataPlane dataPlane, Context ctx) {
        return create(dataPlane, ctx).start();
    }

    /**
     * Runs the agent on thread {@value LinkAgent#ROLE_NAME} with the context's idle strategy.
     *
     * @throws IllegalStateException if started already or closed
     */
    public synchronized ClusterLink start() {
        requireOpen();
        if (runner != null) {
            throw new IllegalStateException("cluster link already started");
        }
        runner = new AgentRunner(ctx.idleStrategySupplier().get(), ctx.errorHandler(), null, agent);
        AgentRunner.startOnThread(runner);
        LOG.info("cluster link of node '{}' listening on {}:{}", ctx.node(), ctx.endpointHost(), localPort);
        return this;
    }

    /** The agent, for a caller that runs its duty cycle itself instead of {@link #start}. */
    public LinkAgent agent() {
        return agent;
    }

    public Context context() {
        return ctx;
    }

    /** The UDP port this node's link listens on: {@link Context#endpointPort}, or the one picked for 0. */
    public int localPort() {
        return localPort;
    }

    /** The hubport of hub {@code hubId}'s uplink. */
    public static String uplinkHubport(int hubId) {
        return PORT_PREFIX + "hub/" + hubId;
    }

    /** The endpoint of hub {@code hubId}'s uplink: its counters show what crossed between nodes. */
    public static String uplinkEndpoint(int hubId) {
        return PORT_PREFIX + "uplink/" + hubId;
    }

    /**
     * Node {@code node}'s link listens on {@code host}:{@code port}: frames for it go there from now
     * on, and frames from it are accepted. Re-peering at the same address changes nothing; at another,
     * the publication is replaced. Any thread.
     *
     * @throws IllegalArgumentException if {@code node} is this node, or an argument is out of range
     */
    @Override
    public synchronized void peer(String node, String host, int port) {
        requireOpen();
        PeerLink peer = peerLink(node);
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("peer '" + node + "': host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer '" + node + "': port must be within 1..65535, got " + port);
        }
        String channel = "aeron:udp?endpoint=" + endpoint(host, port) + "|term-length=" + ctx.termBufferLength();
        if (!channel.equals(channels.get(node))) {
            control.send(new LinkOp.Connect(peer, channel));
            channels.put(node, channel);
        }
    }

    /**
     * Forgets where node {@code node} listens: frames for it are dropped (counted as not connected)
     * and frames from it are refused, until it is peered again; spans keep naming it. Nothing if it
     * is not peered. Any thread.
     */
    @Override
    public synchronized void removePeer(String node) {
        requireOpen();
        requireNode(node);
        if (channels.remove(node) != null) {
            control.send(new LinkOp.Disconnect(peers.get(node)));
        }
    }

    /**
     * Hub {@code hubId} has ports on {@code remoteNodes} (other nodes than this one): this node's part
     * of the hub gets an uplink sending to each of them, or, for an empty set, loses its uplink. A
     * node not peered yet may be named; frames for it are dropped and counted until it is. Any thread.
     *
     * @throws IllegalArgumentException if {@code remoteNodes} names this node or an empty name
     * @throws io.vnetd.model.error.NetException if the data plane has no port slot left for the uplink
     */
    @Override
    public synchronized void span(int hubId, Set<String> remoteNodes) {
        requireOpen();
        Set<String> nodes = Collections.unmodifiableSet(new TreeSet<>(remoteNodes));
        List<PeerLink> targets = new ArrayList<>();
        for (String node : nodes) {
            targets.add(peerLink(node));
        }
        if (nodes.equals(spans.getOrDefault(hubId, Set.of()))) {
            return;
        }
        if (nodes.isEmpty()) {
            control.send(new LinkOp.RemoveUplink(hubId));
            closeUplink(hubId, uplinks.remove(hubId));
            spans.remove(hubId);
            return;
        }
        EndpointPort port = uplinks.get(hubId);
        boolean opened = port == null;
        if (opened) {
            port = openUplink(hubId);
        }
        try {
            control.send(new LinkOp.SetUplink(hubId, port, targets));
        } catch (RuntimeException e) {
            if (opened) {
                closeUplink(hubId, port);
            }
            throw e;
        }
        uplinks.put(hubId, port);
        spans.put(hubId, nodes);
    }

    /** The counters of every node ever named, by name. Any thread. */
    @Override
    public SortedMap<String, LinkCounters> counters() {
        SortedMap<String, LinkCounters> snapshots = new TreeMap<>();
        peers.forEach((node, peer) -> snapshots.put(node, peer.snapshot()));
        return Collections.unmodifiableSortedMap(snapshots);
    }

    /** Messages received from nodes that are not peered (never, or no longer), dropped. Any thread. */
    public long framesFromUnknownNodes() {
        return agent.unknownNodeFrames();
    }

    /**
     * Stops the agent, closes the uplinks' ports (unless the data plane closed first), the Aeron
     * client and the embedded media driver, whose directory is deleted.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        CloseHelper.close(ctx.errorHandler(), runner);
        uplinks.forEach(this::closeUplink);
        uplinks.clear();
        CloseHelper.closeAll(aeron, driver);
    }

    private EndpointPort openUplink(int hubId) {
        EndpointPort port = dataPlane.attachEndpoint(uplinkEndpoint(hubId));
        try {
            dataPlane.openHubport(uplinkHubport(hubId), hubId);
            dataPlane.connectPorts(uplinkHubport(hubId), port.name());
        } catch (RuntimeException e) {
            closeUplink(hubId, port);
            throw e;
        }
        return port;
    }

    private void closeUplink(int hubId, EndpointPort port) {
        dataPlane.close(uplinkHubport(hubId));
        port.close();
    }

    /** The peer named {@code node}, made on first mention. */
    private PeerLink peerLink(String node) {
        requireNode(node);
        if (node.equals(ctx.node())) {
            throw new IllegalArgumentException("node '" + node + "' is this node: name the other nodes only");
        }
        PeerLink peer = peers.get(node);
        if (peer == null) {
            peer = new PeerLink(node);
            String holder = nodesById.putIfAbsent(peer.id(), node);
            if (holder != null) {
                throw new IllegalArgumentException("nodes '" + node + "' and '" + holder
                        + "' have the same link id (the hash of the name): rename one");
            }
            peers.put(node, peer);
        }
        return peer;
    }

    private static void requireNode(String node) {
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("a node name must not be empty");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cluster link is closed");
        }
    }

    /** {@code host:port} as Aeron reads it, brackets around an IPv6 address. */
    private static String endpoint(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The port the subscription bound, once the media driver reports it (at once unless 0 was asked for). */
    private static int boundPort(Subscription subscription) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        String resolved;
        while ((resolved = subscription.tryResolveChannelEndpointPort()) == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("cluster link: the media driver did not report the port of "
                        + subscription.channel() + " within 10 s");
            }
            idle.idle();
        }
        String endpoint = ChannelUri.parse(resolved).get(CommonContext.ENDPOINT_PARAM_NAME);
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /**
     * The link's settings, each with a documented default (the {@code *_DEFAULT} constants and
     * {@code default*()} factories); setters return the context; {@link #conclude()} validates them
     * together, as {@link DataPlane.Context} does.
     */
    public static final class Context {

        /** {@value}: this node's name, as the daemon's {@code vnetd.cluster.node-name} defaults. */
        public static final String NODE_DEFAULT = "local";

        /** {@value}: the address the link listens on; a cluster of several hosts names one its peers reach. */
        public static final String ENDPOINT_HOST_DEFAULT = "127.0.0.1";

        /** {@value}: the UDP port the link listens on; 0 picks a free one ({@link ClusterLink#localPort()}). */
        public static final int ENDPOINT_PORT_DEFAULT = 0;

        /** {@value}: the default Aeron directory is a new one under {@code java.io.tmpdir} named this and a UUID. */
        public static final String AERON_DIRECTORY_PREFIX_DEFAULT = "vnetd-link-";

        /** {@value}: a media driver of the link's own, so that nothing else need run. */
        public static final boolean LAUNCH_EMBEDDED_DRIVER_DEFAULT = true;

        /** {@value}: the Aeron stream every link publishes and subscribes on. */
        public static final int STREAM_ID_DEFAULT = 10;

        /** {@value}: bytes of each publication's term (4 MiB): messages of up to 512 KiB, three terms per peer. */
        public static final int TERM_BUFFER_LENGTH_DEFAULT = 4 * 1024 * 1024;

        /** {@value}: Aeron's smallest term. */
        public static final int TERM_BUFFER_LENGTH_MIN = 64 * 1024;

        /** {@value}: Aeron's largest term. */
        public static final int TERM_BUFFER_LENGTH_MAX = 1024 * 1024 * 1024;

        /** {@value}: frames per uplink, and fragments from the subscription, per duty cycle. */
        public static final int BATCH_LIMIT_DEFAULT = 64;

        /** {@value}: control operations the agent's queue holds. */
        public static final int CONTROL_QUEUE_CAPACITY_DEFAULT = 1024;

        /** One second: how long a control call may wait for room in a full queue. */
        public static final long CONTROL_OFFER_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(1);

        private boolean concluded;
        private String node = NODE_DEFAULT;
        private String endpointHost = ENDPOINT_HOST_DEFAULT;
        private int endpointPort = ENDPOINT_PORT_DEFAULT;
        private String aeronDirectoryName;
        private boolean launchEmbeddedDriver = LAUNCH_EMBEDDED_DRIVER_DEFAULT;
        private Supplier<IdleStrategy> driverIdleStrategySupplier = Context::defaultDriverIdleStrategy;
        private int streamId = STREAM_ID_DEFAULT;
        private int termBufferLength = TERM_BUFFER_LENGTH_DEFAULT;
        private int batchLimit = BATCH_LIMIT_DEFAULT;
        private Supplier<IdleStrategy> idleStrategySupplier = Context::defaultIdleStrategy;
        private int controlQueueCapacity = CONTROL_QUEUE_CAPACITY_DEFAULT;
        private long controlOfferTimeoutNs = CONTROL_OFFER_TIMEOUT_NS_DEFAULT;
        private ErrorHandler errorHandler = t -> LOG.error("cluster link error", t);

        /**
         * The link agent's default: 10 spins, 2 yields, then parks doubling from 1 µs to 1 ms. Nothing
         * wakes it when the switch delivers to an uplink, so an idle link adds up to 1 ms to the first
         * frame; few yields, as the data plane's, because yields are costly on shared cores.
         * {@link org.agrona.concurrent.BusySpinIdleStrategy} for dedicated cores.
         */
        public static IdleStrategy defaultIdleStrategy() {
            return new BackoffIdleStrategy(10, 2, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }

        /** The embedded media driver's default (its one thread, {@code SHARED}): Aeron's back-off, up to 1 ms parks. */
        public static IdleStrategy defaultDriverIdleStrategy() {
            return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }

        /**
         * Validates the settings, fills in the Aeron directory if none was given, and marks the context
         * as taken: {@link ClusterLink#create} concludes it, and a context configures one link.
         *
         * @throws IllegalArgumentException naming the setting and what it needs
         * @throws IllegalStateException    if concluded already
         */
        public Context conclude() {
            if (concluded) {
                throw new IllegalStateException("context already concluded: give each cluster link its own");
            }
            if (node == null || node.isBlank()) {
                throw new IllegalArgumentException("node must not be empty");
            }
            if (endpointHost == null || endpointHost.isBlank()) {
                throw new IllegalArgumentException("endpointHost must not be empty");
            }
            if (endpointPort < 0 || endpointPort > 65535) {
                throw new IllegalArgumentException("endpointPort must be within 0..65535, got " + endpointPort);
            }
            if (aeronDirectoryName == null && !launchEmbeddedDriver) {
                throw new IllegalArgumentException("aeronDirectoryName must name the running media driver's"
                        + " directory when launchEmbeddedDriver is false");
            }
            if (aeronDirectoryName != null && aeronDirectoryName.isBlank()) {
                throw new IllegalArgumentException("aeronDirectoryName must not be empty");
            }
            Objects.requireNonNull(driverIdleStrategySupplier, "driverIdleStrategySupplier");
            if (termBufferLength < TERM_BUFFER_LENGTH_MIN || termBufferLength > TERM_BUFFER_LENGTH_MAX
                    || !BitUtil.isPowerOfTwo(termBufferLength)) {
                throw new IllegalArgumentException("termBufferLength must be a power of two within "
                        + TERM_BUFFER_LENGTH_MIN + ".." + TERM_BUFFER_LENGTH_MAX + ", got " + termBufferLength);
            }
            if (batchLimit < 1) {
                throw new IllegalArgumentException("batchLimit must be at least 1, got " + batchLimit);
            }
            Objects.requireNonNull(idleStrategySupplier, "idleStrategySupplier");
            if (controlQueueCapacity < 2 || !BitUtil.isPowerOfTwo(controlQueueCapacity)) {
                throw new IllegalArgumentException(
                        "controlQueueCapacity must be a power of two, at least 2, got " + controlQueueCapacity);
            }
            if (controlOfferTimeoutNs < 0) {
                throw new IllegalArgumentException("controlOfferTimeoutNs must not be negative, got " + controlOfferTimeoutNs);
            }
            Objects.requireNonNull(errorHandler, "errorHandler");
            if (aeronDirectoryName == null) {
                aeronDirectoryName = new File(System.getProperty("java.io.tmpdir"),
                        AERON_DIRECTORY_PREFIX_DEFAULT + UUID.randomUUID()).getPath();
            }
            concluded = true;
            return this;
        }

        /** This node's name, which its messages carry and peers know it by. Default {@value #NODE_DEFAULT}. */
        public Context node(String node) {
            this.node = node;
            return this;
        }

        public String node() {
            return node;
        }

        /**
         * The address this node's link listens on (its subscription's endpoint), which peers publish to.
         * Default {@value #ENDPOINT_HOST_DEFAULT}: loopback, as every vnetd listener unless configured.
         */
        public Context endpointHost(String host) {
            this.endpointHost = host;
            return this;
        }

        public String endpointHost() {
            return endpointHost;
        }

        /** The UDP port the link listens on; 0 picks a free one. Default {@value #ENDPOINT_PORT_DEFAULT}. */
        public Context endpointPort(int port) {
            this.endpointPort = port;
            return this;
        }

        public int endpointPort() {
            return endpointPort;
        }

        /**
         * The media driver's directory: the embedded driver's (deleted when the link closes), or that of
         * a running one when {@link #launchEmbeddedDriver} is false. Default: a new directory under
         * {@code java.io.tmpdir} ({@value #AERON_DIRECTORY_PREFIX_DEFAULT} and a UUID), chosen by
         * {@link #conclude()}, so that links never share a driver by accident.
         */
        public Context aeronDirectoryName(String directory) {
            this.aeronDirectoryName = directory;
            return this;
        }

        /** The directory given, or after {@link #conclude()} the one chosen; null before if none was given. */
        public String aeronDirectoryName() {
            return aeronDirectoryName;
        }

        /**
         * Whether the link launches a media driver of its own ({@code SHARED}: one thread, idling with
         * {@link #driverIdleStrategySupplier}) or uses the one running at {@link #aeronDirectoryName}.
         * Default {@value #LAUNCH_EMBEDDED_DRIVER_DEFAULT}.
         */
        public Context launchEmbeddedDriver(boolean launch) {
            this.launchEmbeddedDriver = launch;
            return this;
        }

        public boolean launchEmbeddedDriver() {
            return launchEmbeddedDriver;
        }

        /** Makes the embedded media driver's idle strategy; default {@link #defaultDriverIdleStrategy()}. */
        public Context driverIdleStrategySupplier(Supplier<IdleStrategy> supplier) {
            this.driverIdleStrategySupplier = supplier;
            return this;
        }

        public Supplier<IdleStrategy> driverIdleStrategySupplier() {
            return driverIdleStrategySupplier;
        }

        /** The Aeron stream id; every node of a cluster uses the same. Default {@value #STREAM_ID_DEFAULT}. */
        public Context streamId(int streamId) {
            this.streamId = streamId;
            return this;
        }

        public int streamId() {
            return streamId;
        }

        /**
         * Bytes of each publication's terms (three per peer, and as many for each peer's image at the
         * receiver), a power of two within {@value #TERM_BUFFER_LENGTH_MIN}..{@value #TERM_BUFFER_LENGTH_MAX};
         * an eighth of it must hold the data plane's longest frame and the hub id. Default
         * {@value #TERM_BUFFER_LENGTH_DEFAULT}.
         */
        public Context termBufferLength(int length) {
            this.termBufferLength = length;
            return this;
        }

        public int termBufferLength() {
            return termBufferLength;
        }

        /**
         * Frames taken from each uplink, and fragments from the subscription, per duty cycle: bounds a
         * cycle's work. Default {@value #BATCH_LIMIT_DEFAULT}.
         */
        public Context batchLimit(int limit) {
            this.batchLimit = limit;
            return this;
        }

        public int batchLimit() {
            return batchLimit;
        }

        /** Makes the link agent's idle strategy; default {@link #defaultIdleStrategy()}. */
        public Context idleStrategySupplier(Supplier<IdleStrategy> supplier) {
            this.idleStrategySupplier = supplier;
            return this;
        }

        public Supplier<IdleStrategy> idleStrategySupplier() {
            return idleStrategySupplier;
        }

        /** Control operations the agent's queue holds, a power of two; default {@value #CONTROL_QUEUE_CAPACITY_DEFAULT}. */
        public Context controlQueueCapacity(int capacity) {
            this.controlQueueCapacity = capacity;
            return this;
        }

        public int controlQueueCapacity() {
            return controlQueueCapacity;
        }

        /**
         * How long a control call retries a full queue before it fails with an
         * {@link IllegalStateException}; 0 fails after one retry. Default one second.
         */
        public Context controlOfferTimeoutNs(long timeoutNs) {
            this.controlOfferTimeoutNs = timeoutNs;
            return this;
        }

        public long controlOfferTimeoutNs() {
            return controlOfferTimeoutNs;
        }

        /** Where the agent, the Aeron client and the embedded driver report errors; by default logged. */
        public Context errorHandler(ErrorHandler handler) {
            this.errorHandler = handler;
            return this;
        }

        public ErrorHandler errorHandler() {
            return errorHandler;
        }
    }
}
