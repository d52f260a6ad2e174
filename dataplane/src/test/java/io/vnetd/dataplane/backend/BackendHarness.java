package io.vnetd.dataplane.backend;

import static org.junit.jupiter.api.Assertions.fail;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.counters.BackendCountersSnapshot;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.service.NetEvent;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A data plane without threads whose agents the test steps, with the events its backends publish,
 * and test endpoints to peer backends with. Every wait is bounded.
 */
final class BackendHarness implements AutoCloseable {

    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    final DataPlane dp;
    final List<NetEvent> events = new CopyOnWriteArrayList<>();

    BackendHarness() {
        this(UnaryOperator.identity());
    }

    BackendHarness(UnaryOperator<DataPlane.Context> settings) {
        this.dp = DataPlane.create(settings.apply(small().eventPublisher(events::add)));
    }

    /** Small rings and buffers, frames up to 8 KiB, agent errors failing the test. */
    static DataPlane.Context small() {
        return new DataPlane.Context()
                .inboundRingCapacity(256 * 1024)
                .outboundRingCapacity(128 * 1024)
                .maxFrameLength(8192)
                .ioBufferLength(32 * 1024)
                .ioBatchLength(16)
                .maxPorts(64)
                .controlQueueCapacity(64)
                .errorHandler(t -> {
                    throw new AssertionError("data plane error", t);
                });
    }

    /** One duty cycle of every agent; returns the work they did. */
    int step() {
        int work = dp.switchingAgent().doWork();
        for (IoAgent agent : dp.ioAgents()) {
            work += agent.doWork();
        }
        return work;
    }

    /** Steps until three cycles in a row find nothing to do (data in flight on loopback has arrived by then). */
    void settle() {
        int idle = 0;
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (idle < 3) {
            idle = step() > 0 ? 0 : idle + 1;
            if (System.nanoTime() - deadline > 0) {
                fail("the agents never went idle");
            }
        }
    }

    /** Steps the agents until {@code condition} holds, for at most {@link #TIMEOUT_NS}. */
    void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            if (step() == 0) {
                LockSupport.parkNanos(50_000);
            }
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
        }
    }

    /** Opens the backend and has it served, as the control plane does once the command is answered. */
    void open(NetdevConfig config) {
        dp.open(config);
        dp.activate(NetClientRef.netdev(config.id()));
    }

    String describe(String netdev) {
        return dp.describe(NetClientRef.netdev(netdev));
    }

    /** A test endpoint peered with netdev {@code netdev}. */
    Peer peerOf(String netdev) {
        Peer peer = new Peer(dp.attachEndpoint("peer-of-" + netdev));
        dp.connect(NetClientRef.netdev(netdev), NetClientRef.netdev(peer.port.name()));
        return peer;
    }

    NetClientCounters portCounters(String name) {
        return dp.counters(name).orElseThrow(() -> new AssertionError("no port " + name));
    }

    BackendCountersSnapshot backendCounters(String name) {
        return dp.backendCounters(name).orElseThrow(() -> new AssertionError("no backend " + name));
    }

    @Override
    public void close() {
        dp.close();
    }

    /** Plays the rest of the network: sends frames into the backend's port and keeps what it delivers. */
    static final class Peer {
        final EndpointPort port;
        private final List<byte[]> received = new ArrayList<>();

        Peer(EndpointPort port) {
            this.port = port;
        }

        void send(byte[] frame) {
            if (!port.offer(new UnsafeBuffer(frame), 0, frame.length)) {
                throw new AssertionError("inbound ring full");
            }
        }

        /** Every frame delivered so far. */
        List<byte[]> received() {
            port.poll((buffer, offset, length) -> {
                byte[] frame = new byte[length];
                buffer.getBytes(offset, frame);
                received.add(frame);
            }, Integer.MAX_VALUE);
            return received;
        }
    }

    static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
