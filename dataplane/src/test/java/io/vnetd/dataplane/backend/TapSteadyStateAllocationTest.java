package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static io.vnetd.dataplane.backend.TapHost.arpRequest;
import static io.vnetd.dataplane.backend.TapHost.ipv4;
import static io.vnetd.dataplane.backend.TapHost.isArpReply;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.fail;

import io.vnetd.dataplane.AllocationProbe;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.ThreadingMode;
import io.vnetd.model.netdev.NetdevConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tap backend allocates nothing once warm: ARP requests sent as datagrams into a dgram backend
 * cross a hub into a tap, the kernel answers each, and the answers come back out of the tap and the
 * dgram backend; the agents' threads allocate no byte meanwhile.
 */
class TapSteadyStateAllocationTest {

    private static final int WARM_UP_FRAMES = 30_000;
    private static final int MEASURED_FRAMES = 10_000;
    private static final int WINDOW = 16;
    private static final String TAP = "vtalloc0";
    private static final int HOST = ipv4(198, 18, 223, 13);

    @TempDir
    Path dir;

    @AfterEach
    void removeLeftovers() {
        TapHost.remove(TAP);
    }

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    void framesThroughATapAllocateNothing(ThreadingMode mode) throws Exception {
        TapHost.assumeTaps();
        Path ifup = TapHost.upScript(dir, dir.resolve("up.log"), "198.18.223.13/30");
        int dgramPort = freeUdpPort();
        try (DataPlane dp = DataPlane.launch(BackendHarness.small().threadingMode(mode)
                .idleStrategySupplier(DataPlane.Context::defaultIdleStrategy).errorHandler(Throwable::printStackTrace));
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int remotePort = ((InetSocketAddress) remote.getLocalAddress()).getPort();
            dp.open(TapBackendTest.tap("t", TAP, ifup.toString(), "no"));
            dp.open(DgramBackendTest.inet("d", "127.0.0.1", dgramPort, "127.0.0.1", remotePort));
            dp.open(new NetdevConfig.Hubport("ht", 0, Optional.empty()));
            dp.open(new NetdevConfig.Hubport("hd", 0, Optional.empty()));
            dp.connect(netdev("t"), netdev("ht"));
            dp.connect(netdev("d"), netdev("hd"));
            dp.activate(netdev("t"));
            dp.activate(netdev("d"));
            Arp arp = new Arp(remote, new InetSocketAddress("127.0.0.1", dgramPort));
            arp.run(WARM_UP_FRAMES);

            AllocationProbe.agentThreads(mode).assertAWindowAllocatesNothing(() -> arp.run(MEASURED_FRAMES));
        }
    }

    /** ARP requests in, the kernel's replies out, at most {@link #WINDOW} unanswered at a time. */
    private static final class Arp {
        private final DatagramChannel remote;
        private final InetSocketAddress backend;
        private final ByteBuffer request = ByteBuffer.wrap(arpRequest(MAC_A, ipv4(198, 18, 223, 14), HOST));
        private final ByteBuffer in = ByteBuffer.allocate(2048);
        private final byte[] frame = new byte[2048];

        Arp(DatagramChannel remote, InetSocketAddress backend) throws IOException {
            this.remote = remote;
            this.backend = backend;
            remote.configureBlocking(false);
        }

        void run(int frames) throws IOException {
            int sent = 0;
            int answered = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long lastProgress = System.nanoTime();
            while (answered < frames) {
                if (sent < frames && sent - answered < WINDOW) {
                    request.clear();
                    remote.send(request, backend);
                    sent++;
                }
                in.clear();
                if (remote.receive(in) != null) {
                    in.flip();
                    int length = in.remaining();
                    in.get(frame, 0, length);
                    if (isArpReply(Arrays.copyOf(frame, length), MAC_A, HOST)) {
                        answered++;
                        lastProgress = System.nanoTime();
                    }
                } else if (System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(200)) {
                    // A datagram lost on the way (a full socket buffer): send the window again.
                    sent = answered;
                    lastProgress = System.nanoTime();
                }
                if (System.nanoTime() - deadline > 0) {
                    fail("only " + answered + " of " + frames + " ARP requests answered within 60 s");
                }
            }
        }
    }
}
