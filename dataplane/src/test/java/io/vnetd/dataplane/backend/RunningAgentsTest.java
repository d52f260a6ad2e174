package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.dataplane.backend.BackendHarness.freeUdpPort;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.ThreadingMode;
import io.vnetd.dataplane.idle.WakeableIdleStrategy;
import io.vnetd.dataplane.port.EndpointPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Agents on their own threads with a wakeable idle strategy whose sleeps last up to a minute: every
 * frame still crosses at once in both directions, whichever agent slept, because whoever hands an
 * agent work rings its doorbell (a missed ring would leave a frame waiting for a minute, past the
 * test's 5-second bound).
 */
class RunningAgentsTest {

    private static final int ROUNDS = 200;

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    void sleepingAgentsAreWokenByEveryFrame(ThreadingMode mode) throws IOException {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        int local = freeUdpPort();
        DataPlane.Context ctx = BackendHarness.small()
                .idleStrategySupplier(() -> new WakeableIdleStrategy(10, 20, TimeUnit.MINUTES.toNanos(1)))
                .threadingMode(mode)
                .errorHandler(errors::add);
        try (DataPlane dp = DataPlane.launch(ctx);
             DatagramChannel remote = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int remotePort = ((InetSocketAddress) remote.getLocalAddress()).getPort();
            remote.configureBlocking(false);
            dp.open(DgramBackendTest.inet("d0", "127.0.0.1", local, "127.0.0.1", remotePort));
            EndpointPort peer = dp.attachEndpoint("peer");
            dp.connect(netdev("d0"), netdev("peer"));
            dp.activate(netdev("d0"));
            List<byte[]> delivered = new ArrayList<>();

            for (int i = 0; i < ROUNDS; i++) {
                // Long enough for every agent to be asleep before each frame.
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                byte[] in = frame(MAC_B, MAC_A, i, 100);
                remote.send(ByteBuffer.wrap(in), new InetSocketAddress("127.0.0.1", local));
                awaitTrue("frame " + i + " from the socket", () -> {
                    peer.poll((buffer, offset, length) -> {
                        byte[] frame = new byte[length];
                        buffer.getBytes(offset, frame);
                        delivered.add(frame);
                    }, 16);
                    return !delivered.isEmpty();
                });
                assertArrayEquals(in, delivered.removeFirst());

                byte[] out = frame(MAC_A, MAC_B, i, 200);
                assertTrue(peer.offer(new UnsafeBuffer(out), 0, out.length));
                peer.notifySwitch();
                ByteBuffer datagram = ByteBuffer.allocate(1000);
                awaitTrue("frame " + i + " to the socket", () -> receive(remote, datagram));
                assertArrayEquals(out, Arrays.copyOf(datagram.array(), datagram.position()));
            }
        }
        assertEquals(List.of(), errors);
    }

    private static boolean receive(DatagramChannel channel, ByteBuffer into) {
        try {
            return channel.receive(into) != null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }
}
