package io.vnetd.dataplane.link;

import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.fail;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.Frames;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.port.LinkCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One vnetd node of a test cluster in this JVM: a data plane and its cluster link with an embedded
 * media driver on a free port of 127.0.0.1. Tests step both agents on their own thread
 * ({@link #awaitUntil}); the media drivers run on threads of their own.
 */
final class LinkNode implements AutoCloseable {

    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** How long a test watches for frames that must not come. */
    static final long QUIET_NS = TimeUnit.MILLISECONDS.toNanos(300);

    final String name;
    final DataPlane dataPlane;
    final ClusterLink link;
    private final Map<String, TestPort> ports = new ConcurrentHashMap<>();
    private boolean started;

    LinkNode(String name) {
        this(name, 1514, ctx -> ctx);
    }

    LinkNode(String name, int maxFrameLength, UnaryOperator<ClusterLink.Context> settings) {
        this.name = name;
        this.dataPlane = DataPlane.create(new DataPlane.Context()
                .inboundRingCapacity(256 * 1024)
                .outboundRingCapacity(128 * 1024)
                .maxFrameLength(maxFrameLength)
                .maxPorts(64)
                .controlQueueCapacity(64)
                .errorHandler(t -> {
                    throw new AssertionError("data plane error", t);
                }));
        try {
            this.link = ClusterLink.create(dataPlane, settings.apply(new ClusterLink.Context()
                    .node(name)
                    .termBufferLength(256 * 1024)
                    .errorHandler(t -> {
                        throw new AssertionError("cluster link error", t);
                    })));
        } catch (RuntimeException e) {
            dataPlane.close();
            throw e;
        }
    }

    /** A port playing a backend, peered with hubport {@code "h" + name} of hub {@code hubId}. */
    TestPort portOnHub(String portName, int hubId) {
        TestPort port = new TestPort(dataPlane.attachEndpoint(portName));
        dataPlane.open(new io.vnetd.model.netdev.NetdevConfig.Hubport("h" + portName, hubId, java.util.Optional.empty()));
        dataPlane.connect(netdev(portName), netdev("h" + portName));
        ports.put(portName, port);
        return port;
    }

    /** Makes each node a peer of every other and spans {@code hubId} over them all; returns once all are connected. */
    static void mesh(int hubId, LinkNode... nodes) {
        for (LinkNode node : nodes) {
            Set<String> others = new java.util.TreeSet<>();
            for (LinkNode other : nodes) {
                if (other != node) {
                    node.link.peer(other.name, "127.0.0.1", other.link.localPort());
                    others.add(other.name);
                }
            }
            node.link.span(hubId, others);
        }
        awaitUntil(() -> {
            for (LinkNode node : nodes) {
                for (LinkNode other : nodes) {
                    if (other != node && !node.link.counters().get(other.name).connected()) {
                        return false;
                    }
                }
            }
            return true;
        }, nodes);
    }

    /** Runs the data plane's and the link's agents on threads of their own: {@link #step} only collects then. */
    LinkNode start() {
        dataPlane.start();
        link.start();
        started = true;
        return this;
    }

    /** One duty cycle of each agent (unless they run on their own), then every test port collects what was delivered to it. */
    int step() {
        int work = started ? 0 : dataPlane.switchingAgent().doWork() + link.agent().doWork();
        for (TestPort port : ports.values()) {
            work += port.collect();
        }
        return work;
    }

    /** Steps {@code nodes} until {@code done} holds; fails after {@link #TIMEOUT_NS}. */
    static void awaitUntil(BooleanSupplier done, LinkNode... nodes) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not done within " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS) + " s");
            }
            stepOrPause(nodes);
        }
    }

    /** Steps {@code nodes} for {@link #QUIET_NS}, so that frames that should not come have had time to. */
    static void stepQuietly(LinkNode... nodes) {
        long end = System.nanoTime() + QUIET_NS;
        while (System.nanoTime() - end < 0) {
            stepOrPause(nodes);
        }
    }

    private static void stepOrPause(LinkNode... nodes) {
        int work = 0;
        for (LinkNode node : nodes) {
            work += node.step();
        }
        if (work == 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    LinkCounters countersFor(String peer) {
        return link.counters().get(peer);
    }

    NetClientCounters portCounters(String port) {
        return dataPlane.counters(port).orElseThrow(() -> new AssertionError("no counters for port " + port));
    }

    @Override
    public void close() {
        try {
            link.close();
        } finally {
            dataPlane.close();
        }
    }

    /** Plays a backend: offers frames and keeps what the switch delivered, by sequence number. */
    static final class TestPort {
        final EndpointPort port;
        private final List<Integer> received = new ArrayList<>();

        TestPort(EndpointPort port) {
            this.port = port;
        }

        void send(byte[] frame) {
            if (!port.offer(new UnsafeBuffer(frame), 0, frame.length)) {
                throw new AssertionError("inbound ring full");
            }
            port.notifySwitch();
        }

        void send(int sequence) {
            send(Frames.frame(Frames.MAC_B, Frames.MAC_A, sequence));
        }

        synchronized List<Integer> received() {
            return List.copyOf(received);
        }

        private synchronized int collect() {
            return port.poll((buffer, offset, length) -> {
                byte[] frame = new byte[length];
                buffer.getBytes(offset, frame);
                received.add(Frames.sequence(frame));
            }, Integer.MAX_VALUE);
        }
    }
}
