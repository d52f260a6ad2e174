package io.vnetd.dataplane.backend.vhostuser;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.ScmRights;
import io.vnetd.dataplane.backend.io.SharedMemory;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netdev.NetdevConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A vhost-user port on a running data plane, driven by {@link VhostUserFrontend} over its UNIX
 * socket: frames both ways through a peer endpoint, descriptor layouts, mergeable buffers, SEND_RARP,
 * link down, multiqueue, client mode, a back-end restart, and every malformed message or ring, after
 * which the connection is closed and counted and the port serves the next front-end.
 */
class VhostUserPortTest {

    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long ALL = Protocol.FEATURES;
    private static final int RING = 64;

    @TempDir
    Path dir;

    private DataPlane dp;
    private EndpointPort peer;
    private final List<byte[]> atPeer = new ArrayList<>();

    @BeforeEach
    void launch() {
        dp = DataPlane.launch(new DataPlane.Context()
                .inboundRingCapacity(1 << 20)
                .outboundRingCapacity(1 << 20)
                .maxFrameLength(9216)
                .maxPorts(64)
                .controlQueueCapacity(64));
    }

    @AfterEach
    void shutDown() {
        dp.close();
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    private void openPort(String id, String path, Optional<Boolean> server, Optional<Long> queues) {
        dp.open(new NetdevConfig.VhostUserPort(id, path, server, Optional.empty(), queues));
        dp.activate(netdev(id));
        peer = dp.attachEndpoint("peer-of-" + id);
        dp.connect(netdev(id), netdev(peer.name()));
    }

    private VhostUserFrontend serverPort(int queuePairs) {
        openPort("v0", path("v0.sock"), Optional.empty(), Optional.of((long) queuePairs));
        return VhostUserFrontend.connect(path("v0.sock"), queuePairs, RING);
    }

    private List<byte[]> atPeer() {
        peer.poll((buffer, offset, length) -> {
            byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            atPeer.add(frame);
        }, Integer.MAX_VALUE);
        return atPeer;
    }

    private void fromPeer(byte[] frame) {
        assertTrue(peer.offer(new UnsafeBuffer(frame), 0, frame.length));
        peer.notifySwitch();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** As the listings show it: what the port and the backend counted. */
    private long counter(NetClientCounter counter) {
        return dp.counters(netdev("v0")).orElseThrow().get(counter);
    }

    private static byte[] sized(int sequence, int length) {
        return frame(MAC_B, MAC_A, sequence, length);
    }

    @Test
    void framesCrossInBothDirections() {
        try (VhostUserFrontend guest = serverPort(1)) {
            long features = guest.setUp(ALL);
            assertEquals(ALL, features, "every feature offered is taken");
            assertTrue(dp.describe(netdev("v0")).contains("connected on " + path("v0.sock")));
            byte[] small = sized(1, 64);
            byte[] large = sized(2, 1500);
            assertTrue(guest.transmit(1, small, small.length));
            assertTrue(guest.transmit(1, large, large.length));
            guest.kick(1);
            await("two frames at the peer", () -> atPeer().size() == 2);
            assertArrayEquals(small, atPeer.get(0));
            assertArrayEquals(large, atPeer.get(1));
            await("the transmissions completed", () -> guest.usedIdx(1) == 2);

            guest.fillReceive(0);
            byte[] jumbo = sized(3, 5000);
            fromPeer(small);
            fromPeer(jumbo);
            List<byte[]> got = new ArrayList<>();
            await("two frames in the guest", () -> {
                got.addAll(guest.received(0));
                return got.size() == 2;
            });
            assertArrayEquals(small, got.get(0));
            assertArrayEquals(jumbo, got.get(1), "a frame over three merged buffers");
            assertTrue(guest.called(0), "the driver was signalled");
            assertEquals(2, counter(NetClientCounter.TX_FRAMES));
            assertEquals(2, counter(NetClientCounter.RX_FRAMES));
        }
    }

    @Test
    void chainedAndIndirectDescriptorsCarryOneFrame() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL);
            byte[] f = sized(7, 300);
            // Header alone, then the frame in two pieces.
            guest.write(guest.bufferAddress(1, 1), f, 0, 100);
            guest.write(guest.bufferAddress(1, 2), f, 100, 200);
            guest.writeDescriptor(1, 0, guest.bufferAddress(1, 0), VhostUserFrontend.NET_HEADER, VhostUserFrontend.F_NEXT, 1);
            guest.writeDescriptor(1, 1, guest.bufferAddress(1, 1), 100, VhostUserFrontend.F_NEXT, 2);
            guest.writeDescriptor(1, 2, guest.bufferAddress(1, 2), 200, 0, 0);
            guest.pushAvail(1, 0);
            // The same frame through an indirect table of two descriptors.
            long table = guest.scratchAddress();
            guest.writeIndirect(table, 0, guest.bufferAddress(1, 0), VhostUserFrontend.NET_HEADER, VhostUserFrontend.F_NEXT, 1);
            guest.writeIndirect(table, 1, guest.bufferAddress(1, 3), 300, 0, 0);
            guest.write(guest.bufferAddress(1, 3), f, 0, 300);
            guest.writeDescriptor(1, 3, table, 32, VhostUserFrontend.F_INDIRECT, 0);
            guest.pushAvail(1, 3);
            guest.kick(1);
            await("two frames at the peer", () -> atPeer().size() == 2);
            assertArrayEquals(f, atPeer.get(0));
            assertArrayEquals(f, atPeer.get(1));
        }
    }

    @Test
    void aReceiveHeaderMaySpanDescriptors() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL);
            int w = VhostUserFrontend.F_WRITE;
            int n = VhostUserFrontend.F_NEXT;
            guest.writeDescriptor(0, 0, guest.bufferAddress(0, 0), 4, w | n, 1);
            guest.writeDescriptor(0, 1, guest.bufferAddress(0, 1), 7, w | n, 2);
            guest.writeDescriptor(0, 2, guest.bufferAddress(0, 2), 2000, w, 0);
            guest.pushAvail(0, 0);
            guest.kick(0);
            byte[] f = sized(5, 200);
            fromPeer(f);
            await("the frame in the guest", () -> guest.usedIdx(0) == 1);
            assertEquals(0, guest.usedId(0, 0));
            assertEquals(12 + 200, guest.usedLength(0, 0));
            byte[] header = new byte[12];
            System.arraycopy(guest.read(guest.bufferAddress(0, 0), 4), 0, header, 0, 4);
            System.arraycopy(guest.read(guest.bufferAddress(0, 1), 7), 0, header, 4, 7);
            header[11] = guest.read(guest.bufferAddress(0, 2), 1)[0];
            assertEquals(1, (header[10] & 0xff) | (header[11] & 0xff) << 8, "num_buffers across two descriptors");
            assertArrayEquals(f, guest.read(guest.bufferAddress(0, 2) + 1, 200));
        }
    }

    @Test
    void withoutMergeableBuffersAFrameLargerThanABufferIsDropped() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL & ~Protocol.bit(Protocol.VIRTIO_NET_F_MRG_RXBUF));
            guest.fillReceive(0);
            fromPeer(sized(1, 5000));
            byte[] fits = sized(2, 1000);
            fromPeer(fits);
            List<byte[]> got = new ArrayList<>();
            await("the frame that fits", () -> {
                got.addAll(guest.received(0));
                return !got.isEmpty();
            });
            assertEquals(1, got.size());
            assertArrayEquals(fits, got.getFirst());
            assertEquals(1, dp.backendCounters("v0").orElseThrow().counters().get(NetClientCounter.DROPPED_SEND_FAILED));
        }
    }

    @Test
    void sendRarpAnnouncesTheGuestOnItsNetwork() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL);
            MemorySegment p = guest.payload();
            byte[] mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
            MemorySegment.copy(mac, 0, p, ValueLayout.JAVA_BYTE, 0, 6);
            p.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) 0);
            guest.send(Protocol.SEND_RARP, 0, 8);
            await("the announcement", () -> atPeer().size() == 1);
            byte[] rarp = atPeer.getFirst();
            assertEquals(60, rarp.length);
            assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1}, Arrays.copyOfRange(rarp, 0, 6));
            assertArrayEquals(mac, Arrays.copyOfRange(rarp, 6, 12));
            assertEquals(0x8035, ((rarp[12] & 0xff) << 8) | (rarp[13] & 0xff));
            assertEquals(3, rarp[21], "reverse request");
            assertArrayEquals(mac, Arrays.copyOfRange(rarp, 22, 28));
        }
    }

    @Test
    void linkDownDropsWhatTheGuestSendsAndDeliversItNothing() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL);
            guest.fillReceive(0);
            dp.setLink(netdev("v0"), false);
            byte[] f = sized(1, 100);
            guest.transmit(1, f, f.length);
            guest.kick(1);
            await("the transmission completed", () -> guest.usedIdx(1) == 1);
            await("the drop counted", () -> counter(NetClientCounter.DROPPED_LINK_DOWN) == 1);
            fromPeer(f);
            await("the delivery dropped", () -> counter(NetClientCounter.DROPPED_LINK_DOWN) == 2);
            assertEquals(List.of(), atPeer());
            assertEquals(List.of(), guest.received(0));

            dp.setLink(netdev("v0"), true);
            fromPeer(f);
            List<byte[]> got = new ArrayList<>();
            await("a frame after link up", () -> {
                got.addAll(guest.received(0));
                return got.size() == 1;
            });
        }
    }

    @Test
    void everyQueuePairCarriesFrames() {
        try (VhostUserFrontend guest = serverPort(2)) {
            guest.setUp(ALL);
            byte[] a = sized(1, 80);
            byte[] b = sized(2, 90);
            guest.transmit(1, a, a.length);
            guest.transmit(3, b, b.length);
            guest.kick(1);
            guest.kick(3);
            await("frames from both queues", () -> atPeer().size() == 2);
        }
    }

    @Test
    void aRingWhoseKicksNeverArriveIsPolled() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL);
            byte[] f = sized(1, 64);
            guest.transmit(1, f, f.length);
            await("the frame, without a kick", () -> atPeer().size() == 1);
        }
    }

    @Test
    void aClientConnectsAndReconnectsToTheFrontEnd() throws Exception {
        String path = path("client.sock");
        int listen = Sockets.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0, "socket");
        try {
            Sockets.bind(listen, SockAddr.unix(path, false, false), "bind");
            assertEquals(0, Sockets.tryListen(listen, 1));
            openPort("v0", path, Optional.of(false), Optional.empty());
            try (VhostUserFrontend guest = VhostUserFrontend.accept(listen, 1, RING)) {
                guest.setUp(ALL);
                byte[] f = sized(1, 64);
                guest.transmit(1, f, f.length);
                guest.kick(1);
                await("the frame", () -> atPeer().size() == 1);
            }
            // The front-end went away: the port connects again within its reconnect interval.
            try (VhostUserFrontend again = VhostUserFrontend.accept(listen, 1, RING)) {
                again.setUp(ALL);
                byte[] f = sized(2, 64);
                again.transmit(1, f, f.length);
                again.kick(1);
                await("a frame on the new connection", () -> atPeer().size() == 2);
            }
            await("two connections counted", () -> dp.backendCounters("v0").orElseThrow().connections() >= 2);
        } finally {
            Sockets.close(listen);
        }
    }

    @Test
    void afterTheBackEndRestartsTheFrontEndResumesItsRings() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL);
            guest.fillReceive(0);
            byte[] f = sized(1, 64);
            for (int i = 0; i < 5; i++) {
                guest.transmit(1, f, f.length);
            }
            guest.kick(1);
            await("five frames", () -> atPeer().size() == 5);
            await("five completed", () -> guest.usedIdx(1) == 5);
            fromPeer(f);
            await("a frame in", () -> guest.received(0).size() == 1);

            // The back-end goes (its state with it) and comes back on the same path.
            dp.close(netdev("v0"));
            dp.open(new NetdevConfig.VhostUserPort("v0", path("v0.sock"), Optional.empty(), Optional.empty(),
                    Optional.empty()));
            dp.activate(netdev("v0"));
            dp.connect(netdev("v0"), netdev(peer.name()));

            // As QEMU does when GET_VRING_BASE cannot be asked: each ring resumes from its used index.
            guest.reconnect(path("v0.sock"));
            guest.negotiate(ALL);
            guest.sendMemTable();
            guest.startVring(0, guest.usedIdx(0));
            guest.startVring(1, guest.usedIdx(1));
            for (int i = 0; i < 3; i++) {
                guest.transmit(1, f, f.length);
            }
            guest.kick(1);
            await("three more frames", () -> atPeer().size() == 8);
            await("the used index continues", () -> guest.usedIdx(1) == 8);
            fromPeer(sized(9, 64));
            List<byte[]> got = new ArrayList<>();
            await("a frame in after the restart", () -> {
                got.addAll(guest.received(0));
                return got.size() == 1;
            });
            assertArrayEquals(sized(9, 64), got.getFirst());
        }
    }

    @Test
    void getVringBaseStopsTheRingWhereTheBackEndWouldContinue() {
        try (VhostUserFrontend guest = serverPort(1)) {
            guest.setUp(ALL);
            byte[] f = sized(1, 64);
            guest.transmit(1, f, f.length);
            guest.transmit(1, f, f.length);
            guest.kick(1);
            await("two frames", () -> atPeer().size() == 2);
            assertEquals(2, guest.stopVring(1));
            guest.transmit(1, f, f.length);
            guest.kick(1);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            assertEquals(2, atPeer().size(), "a stopped ring is not served");
        }
    }

    @Test
    void aPathTakenByAFileIsTheCommandsError() throws Exception {
        Path file = dir.resolve("sub");
        java.nio.file.Files.createDirectory(file);
        java.nio.file.Files.writeString(file.resolve("x"), "");
        NetException e = org.junit.jupiter.api.Assertions.assertThrows(NetException.class,
                () -> dp.open(new NetdevConfig.VhostUserPort("v9", file.toString(), Optional.empty(),
                        Optional.empty(), Optional.empty())));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    /** A hostile or broken front-end: the connection closes, the error is counted, the port serves the next one. */
    @ParameterizedTest
    @ValueSource(strings = {"ringSizeNotPowerOfTwo", "memTableWithoutFd", "memTableWrongFdCount", "regionOfSizeZero",
            "overlappingRegions", "regionPastItsFile", "descriptorOutsideMemory", "loopInChain", "oversizedMessage", "vringIndexOutOfRange",
            "availIndexRunsAhead", "indirectTableOutsideMemory", "nestedIndirect", "ringOutsideMemory",
            "kickWithTwoFds", "unknownRequest", "writeOnlyDescriptorInTransmitChain", "badVersion",
            "receiveDescriptorOutsideMemory", "receiveBufferSmallerThanHeader", "repliesNeverRead"})
    void aMalformedMessageOrRingClosesTheConnection(String abuse) {
        try (VhostUserFrontend guest = serverPort(1)) {
            ABUSES.get(abuse).accept(guest);
            if (abuse.startsWith("receive")) {
                fromPeer(sized(0, 64));
            }
            assertTrue(guest.awaitClosed(), abuse + ": the connection stays open");
            await("the error counted", () -> counter(NetClientCounter.PEER_ERRORS) == 1);
        }
        try (VhostUserFrontend next = VhostUserFrontend.connect(path("v0.sock"), 1, RING)) {
            next.setUp(ALL);
            byte[] f = sized(1, 64);
            next.transmit(1, f, f.length);
            next.kick(1);
            await("a frame from the next front-end", () -> atPeer().size() == 1);
        }
    }

    private static final java.util.Map<String, Consumer<VhostUserFrontend>> ABUSES = java.util.Map.ofEntries(
            java.util.Map.entry("ringSizeNotPowerOfTwo", g -> {
                g.negotiate(ALL);
                g.sendState(Protocol.SET_VRING_NUM, 0, 100);
            }),
            java.util.Map.entry("memTableWithoutFd", g -> {
                g.negotiate(ALL);
                table(g, 1, 0x1000, 1 << 20);
                g.send(Protocol.SET_MEM_TABLE, 0, 40);
            }),
            java.util.Map.entry("memTableWrongFdCount", g -> {
                g.negotiate(ALL);
                table(g, 1, 0x1000, 1 << 20);
                int[] fds = pipe();
                g.send(Protocol.SET_MEM_TABLE, 0, 40, fds[0], fds[1]);
                Sockets.close(fds[0]);
                Sockets.close(fds[1]);
            }),
            java.util.Map.entry("regionOfSizeZero", g -> {
                g.negotiate(ALL);
                table(g, 1, 0x1000, 0);
                int fd = SharedMemory.memfd("t", 4096);
                g.send(Protocol.SET_MEM_TABLE, 0, 40, fd);
                Sockets.close(fd);
            }),
            java.util.Map.entry("overlappingRegions", g -> {
                g.negotiate(ALL);
                table(g, 2, 0x1000, 1 << 20);
                int fd = SharedMemory.memfd("t", 1 << 20);
                g.send(Protocol.SET_MEM_TABLE, 0, 72, fd, fd);
                Sockets.close(fd);
            }),
            java.util.Map.entry("regionPastItsFile", g -> {
                g.negotiate(ALL);
                table(g, 1, 0x1000, 1 << 20);
                int fd = SharedMemory.memfd("t", 4096);
                g.send(Protocol.SET_MEM_TABLE, 0, 40, fd);
                Sockets.close(fd);
            }),
            java.util.Map.entry("descriptorOutsideMemory", g -> {
                g.setUp(ALL);
                g.writeDescriptor(1, 0, VhostUserFrontend.GUEST_BASE + g.guestMemorySize() - 8, 64, 0, 0);
                g.pushAvail(1, 0);
                g.kick(1);
            }),
            java.util.Map.entry("loopInChain", g -> {
                g.setUp(ALL);
                g.writeDescriptor(1, 0, g.bufferAddress(1, 0), 100, VhostUserFrontend.F_NEXT, 1);
                g.writeDescriptor(1, 1, g.bufferAddress(1, 1), 100, VhostUserFrontend.F_NEXT, 0);
                g.pushAvail(1, 0);
                g.kick(1);
            }),
            java.util.Map.entry("oversizedMessage", g -> g.sendHeader(Protocol.SET_MEM_TABLE, 0, 1 << 20)),
            java.util.Map.entry("vringIndexOutOfRange", g -> {
                g.negotiate(ALL);
                g.sendState(Protocol.SET_VRING_NUM, 2, 64);
            }),
            java.util.Map.entry("availIndexRunsAhead", g -> {
                g.setUp(ALL);
                g.setAvailIdx(1, 1000);
                g.kick(1);
            }),
            java.util.Map.entry("indirectTableOutsideMemory", g -> {
                g.setUp(ALL);
                g.writeDescriptor(1, 0, VhostUserFrontend.GUEST_BASE - 4096, 64, VhostUserFrontend.F_INDIRECT, 0);
                g.pushAvail(1, 0);
                g.kick(1);
            }),
            java.util.Map.entry("nestedIndirect", g -> {
                g.setUp(ALL);
                long table = g.scratchAddress();
                g.writeIndirect(table, 0, table, 16, VhostUserFrontend.F_INDIRECT, 0);
                g.writeDescriptor(1, 0, table, 16, VhostUserFrontend.F_INDIRECT, 0);
                g.pushAvail(1, 0);
                g.kick(1);
            }),
            java.util.Map.entry("ringOutsideMemory", g -> {
                g.negotiate(ALL);
                g.sendMemTable();
                g.sendState(Protocol.SET_VRING_NUM, 1, 64);
                MemorySegment p = g.payload();
                p.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 1);
                p.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
                p.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, VhostUserFrontend.USER_BASE + g.guestMemorySize() - 512);
                p.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, VhostUserFrontend.USER_BASE);
                p.set(ValueLayout.JAVA_LONG_UNALIGNED, 24, VhostUserFrontend.USER_BASE + 4096);
                p.set(ValueLayout.JAVA_LONG_UNALIGNED, 32, 0);
                g.send(Protocol.SET_VRING_ADDR, 0, 40);
                g.sendU64(Protocol.SET_VRING_KICK, 1 | Protocol.VRING_NOFD);
            }),
            java.util.Map.entry("kickWithTwoFds", g -> {
                g.negotiate(ALL);
                int[] fds = pipe();
                g.sendU64(Protocol.SET_VRING_KICK, 1, fds[0], fds[1]);
                Sockets.close(fds[0]);
                Sockets.close(fds[1]);
            }),
            java.util.Map.entry("unknownRequest", g -> g.send(9999, 0, 0)),
            java.util.Map.entry("repliesNeverRead", g -> {
                // Asks and never reads: the back-end's replies fill the socket, and it gives up instead of waiting.
                try {
                    for (int i = 0; i < 1_000_000; i++) {
                        g.send(Protocol.GET_FEATURES, 0, 0);
                    }
                    fail("a million requests sent and the back-end still answering into a full socket");
                } catch (io.vnetd.dataplane.backend.io.ErrnoException expected) {
                    // The back-end closed the connection.
                }
            }),
            java.util.Map.entry("writeOnlyDescriptorInTransmitChain", g -> {
                g.setUp(ALL);
                g.writeDescriptor(1, 0, g.bufferAddress(1, 0), 100, VhostUserFrontend.F_WRITE, 0);
                g.pushAvail(1, 0);
                g.kick(1);
            }),
            java.util.Map.entry("badVersion", g -> {
                MemorySegment p = g.payload();
                p.fill((byte) 0);
                g.send(Protocol.GET_FEATURES, 0x2, 0);
            }),
            java.util.Map.entry("receiveBufferSmallerThanHeader", g -> {
                g.setUp(ALL);
                g.writeDescriptor(0, 0, g.bufferAddress(0, 0), 8, VhostUserFrontend.F_WRITE, 0);
                g.pushAvail(0, 0);
                g.kick(0);
            }),
            java.util.Map.entry("receiveDescriptorOutsideMemory", g -> {
                g.setUp(ALL);
                g.writeDescriptor(0, 0, VhostUserFrontend.GUEST_BASE + g.guestMemorySize(), 2048, VhostUserFrontend.F_WRITE, 0);
                g.pushAvail(0, 0);
                g.kick(0);
            }));

    /** A memory table of {@code count} regions, all at the same guest-physical {@code base}. */
    private static void table(VhostUserFrontend g, int count, long base, long size) {
        MemorySegment p = g.payload();
        p.set(ValueLayout.JAVA_INT_UNALIGNED, 0, count);
        p.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
        for (int i = 0; i < count; i++) {
            long at = 8 + 32L * i;
            p.set(ValueLayout.JAVA_LONG_UNALIGNED, at, base);
            p.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, size);
            p.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 16, 0x7000_0000_0000L + (long) i * (size + 4096));
            p.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 24, 0);
        }
    }

    private static int[] pipe() {
        return ScmRights.socketPair();
    }
}
