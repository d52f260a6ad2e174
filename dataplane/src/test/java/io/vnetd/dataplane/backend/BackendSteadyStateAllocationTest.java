package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.backend.BackendHarness.freeTcpPort;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.AllocationProbe;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.ThreadingMode;
import io.vnetd.model.netdev.NetdevConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backend I/O allocates nothing once warm: with frames crossing a dgram backend and a stream backend
 * through a hub in both directions, the agents' threads (one shared, or the I/O agent's and the
 * switching agent's) allocate no byte, sleeping and being woken included.
 */
class BackendSteadyStateAllocationTest {

    private static final int WARM_UP_FRAMES = 150_000;
    private static final int MEASURED_FRAMES = 30_000;
    private static final int WINDOW = 32;

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    void framesThroughDatagramAndStreamBackendsAllocateNothing(ThreadingMode mode) throws Exception {
        int dgramPort = freeUdpPort();
        int streamPort = freeTcpPort();
        try (DataPlane dp = DataPlane.launch(BackendHarness.small().threadingMode(mode)
                .idleStrategySupplier(DataPlane.Context::defaultIdleStrategy).errorHandler(Throwable::printStackTrace));
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int remotePort = ((InetSocketAddress) remote.getLocalAddress()).getPort();
            dp.open(DgramBackendTest.inet("d", "127.0.0.1", dgramPort, "127.0.0.1", remotePort));
            dp.open(new NetdevConfig.Stream("s", StreamBackendTest.loopback(streamPort), Optional.of(true), Optional.empty()));
            dp.open(new NetdevConfig.Hubport("hd", 0, Optional.empty()));
            dp.open(new NetdevConfig.Hubport("hs", 0, Optional.empty()));
            dp.connect(netdev("d"), netdev("hd"));
            dp.connect(netdev("s"), netdev("hs"));
            dp.activate(netdev("d"));
            dp.activate(netdev("s"));
            try (SocketChannel stream = SocketChannel.open(new InetSocketAddress("127.0.0.1", streamPort))) {
                stream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Traffic traffic = new Traffic(remote, new InetSocketAddress("127.0.0.1", dgramPort), stream);
                traffic.run(WARM_UP_FRAMES);

                AllocationProbe.agentThreads(mode).assertAWindowAllocatesNothing(() -> traffic.run(MEASURED_FRAMES));
            }
            assertTrue(dp.counters("d").orElseThrow().get(TX_FRAMES) >= WARM_UP_FRAMES + MEASURED_FRAMES);
        }
    }

    /**
     * Frames in both directions with at most {@link #WINDOW} in flight each way: datagrams into the
     * dgram backend come out of the stream, frames written on the stream come out as datagrams.
     */
    private static final class Traffic {
        private final DatagramChannel remote;
        private final InetSocketAddress backend;
        private final SocketChannel stream;
        private final ByteBuffer datagram = ByteBuffer.wrap(frame(MAC_B, MAC_A, 1, 128));
        private final ByteBuffer prefixed = ByteBuffer.wrap(StreamPeer.prefixed(frame(MAC_A, MAC_B, 2, 128)));
        private final ByteBuffer streamIn = ByteBuffer.allocate(1 << 16);
        private final ByteBuffer datagramIn = ByteBuffer.allocate(2048);

        Traffic(DatagramChannel remote, InetSocketAddress backend, SocketChannel stream) throws IOException {
            this.remote = remote;
            this.backend = backend;
            this.stream = stream;
            remote.configureBlocking(false);
            stream.configureBlocking(false);
        }

        void run(int frames) throws IOException {
            int sentUp = 0;
            int sentDown = 0;
            long receivedUpBytes = 0;
            long receivedUp = 0;
            int receivedDown = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (receivedUp < frames || receivedDown < frames) {
                if (sentUp < frames && sentUp - receivedUp < WINDOW) {
                    datagram.clear();
                    if (remote.send(datagram, backend) > 0) {
                        sentUp++;
                    }
                }
                if (sentDown < frames && sentDown - receivedDown < WINDOW) {
                    prefixed.clear();
                    while (prefixed.hasRemaining()) {
                        stream.write(prefixed);
                    }
                    sentDown++;
                }
                streamIn.clear();
                int n = stream.read(streamIn);
                if (n > 0) {
                    receivedUpBytes += n;
                    receivedUp = receivedUpBytes / (4 + 128);
                }
                datagramIn.clear();
                while (remote.receive(datagramIn) != null) {
                    receivedDown++;
                    datagramIn.clear();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("stalled: up " + receivedUp + "/" + sentUp + ", down " + receivedDown + "/"
                            + sentDown);
                }
            }
        }
    }
}
