package io.vnetd.it.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A vnetd daemon and a QEMU 7.2 with no guest, each able to grow hubs whose frames a test sends and
 * receives through a dgram netdev ({@link Wire}). A transport joins the two (a stream, a socket, a
 * dgram pair, an L2TPv3 session), each end on a hub with a wire of its own, so a frame sent on the
 * vnetd wire must cross vnetd, the transport and QEMU to reach the QEMU wire, and back.
 *
 * <p>An interop test class registers one, which starts both in a directory of its own before the
 * class's tests and stops them (these processes only) and removes the directory after; without QEMU
 * the class is skipped:
 *
 * <pre>
 *   &#64;RegisterExtension
 *   static final InteropFixture f = new InteropFixture();
 * </pre>
 */
public final class InteropFixture implements BeforeAllCallback, AfterAllCallback {

    static final Duration ARRIVAL = Duration.ofSeconds(10);
    static final Duration SILENCE = Duration.ofMillis(500);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Wire> wires = new ArrayList<>();
    private Path dir;
    private VnetdProcess daemon;
    private Side vnetd;
    private Qemu qemu;
    private Side qemuSide;
    private int sequence;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue(Qemu.installed(), Qemu.missing());
        dir = Files.createTempDirectory("vnetd-interop-");
        daemon = VnetdProcess.start(Files.createDirectories(dir.resolve("vnetd")));
        vnetd = new Side("vnetd", Qmp.connect(daemon.qmpSocket()));
        qemu = Qemu.start(Files.createDirectories(dir.resolve("qemu")), List.of());
        qemuSide = new Side("QEMU", qemu.qmp());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            for (Wire wire : wires) {
                wire.close();
            }
            if (vnetd != null) {
                vnetd.qmp.close();
            }
            if (qemu != null) {
                qemu.close();
            }
        } finally {
            kill(daemon);
            removeDirectory();
        }
    }

    /** This class's own directory, for unix socket paths. */
    public Path dir() {
        return dir;
    }

    public Side vnetd() {
        return vnetd;
    }

    public Side qemu() {
        return qemuSide;
    }

    /**
     * Kills vnetd ({@code kill -9}) and starts it again on the same data directory: every netdev comes
     * back from the journal and re-opens its socket; the wires stay where they were.
     */
    public void killAndRestartVnetd() throws IOException {
        vnetd.qmp.close();
        kill(daemon);
        daemon = VnetdProcess.start(dir.resolve("vnetd"));
        vnetd = new Side("vnetd", Qmp.connect(daemon.qmpSocket()));
    }

    /** One end of the crossing: its QMP and what it adds. */
    public final class Side {
        private final String name;
        private final Qmp qmp;

        Side(String name, Qmp qmp) {
            this.name = name;
            this.qmp = qmp;
        }

        public Qmp qmp() {
            return qmp;
        }

        /** {@code netdev_add} with these arguments, which must succeed. */
        public void add(String netdevJson) throws IOException {
            qmp.ok("netdev_add", netdevJson);
        }

        /** Puts {@code netdev} on hub {@code hub} (as hubport {@code h-<netdev>}). */
        public void joinHub(int hub, String netdev) throws IOException {
            add("{\"id\":\"h-" + netdev + "\",\"type\":\"hubport\",\"hubid\":" + hub + ",\"netdev\":\"" + netdev + "\"}");
        }

        /**
         * Adds the netdev {@code netdevJson} describes on hub {@code hub}, with a wire (dgram netdev
         * {@code w<hub>}) beside it on that hub: what the test sends on the wire leaves through the
         * netdev, and what comes in through the netdev arrives on the wire.
         */
        public Wire onHub(int hub, String netdevJson) throws IOException {
            add(netdevJson);
            joinHub(hub, JSON.readTree(netdevJson).get("id").asText());
            return wire(hub, "w" + hub);
        }

        /** A dgram netdev named {@code id} on hub {@code hub} whose remote is a new wire. */
        public Wire wire(int hub, String id) throws IOException {
            Wire wire = Wire.open();
            wires.add(wire);
            int local = Ports.udp();
            add("{\"id\":\"" + id + "\",\"type\":\"dgram\",\"local\":" + inet(local) + ",\"remote\":" + inet(wire.port())
                    + "}");
            joinHub(hub, id);
            return wire.towards(local);
        }

        public void setLink(String netdev, boolean up) throws IOException {
            qmp.setLink(netdev, up);
        }

        public String infoNetwork() throws IOException {
            return qmp.hmp("info network");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** An inet {@code SocketAddress} on 127.0.0.1, as JSON. */
    public static String inet(int port) {
        return "{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + port + "\"}";
    }

    /** A unix {@code SocketAddress}, as JSON. */
    public static String unix(Path path) {
        return "{\"type\":\"unix\",\"path\":\"" + path + "\"}";
    }

    /** A frame of {@code length} bytes, unique in this run, with an Ethernet header. */
    public byte[] frame(int length) {
        byte[] frame = new byte[length];
        ThreadLocalRandom.current().nextBytes(frame);
        ByteBuffer b = ByteBuffer.wrap(frame);
        b.put(new byte[] {(byte) 0x52, 0x54, 0, 0x12, 0x34, 0x56});
        b.put(new byte[] {(byte) 0x52, 0x54, 0, 0x12, 0x34, 0x57});
        b.putShort((short) 0x88b5);
        b.putInt(sequence++);
        return frame;
    }

    /** Frames of several sizes cross from each wire to the other, byte for byte. */
    public void assertCrossing(Wire atVnetd, Wire atQemu) throws IOException {
        for (int length : new int[] {60, 64, 1500, 1514}) {
            assertArrives(atVnetd, atQemu, frame(length), "vnetd -> QEMU");
            assertArrives(atQemu, atVnetd, frame(length), "QEMU -> vnetd");
        }
    }

    private static void assertArrives(Wire from, Wire to, byte[] frame, String direction) throws IOException {
        from.send(frame);
        Optional<byte[]> got = to.receive(ARRIVAL);
        assertTrue(got.isPresent(), direction + ": a " + frame.length + "-byte frame did not arrive within " + ARRIVAL);
        assertArrayEquals(frame, got.get(), direction + ": the frame changed on the way");
        assertEquals(Optional.empty(), to.receive(Duration.ZERO).map(b -> b.length), direction + ": one copy only");
    }

    /** No frame crosses either way. */
    public void assertBlocked(Wire atVnetd, Wire atQemu, String why) throws IOException {
        atVnetd.send(frame(64));
        atQemu.send(frame(64));
        assertEquals(Optional.empty(), atQemu.receive(SILENCE).map(b -> b.length), why + ": vnetd -> QEMU");
        assertEquals(Optional.empty(), atVnetd.receive(SILENCE).map(b -> b.length), why + ": QEMU -> vnetd");
    }

    /** set_link down on vnetd's end, then on QEMU's: nothing crosses either way; up again, frames flow. */
    public void assertLinkDownOnEitherEndStopsFrames(String vnetdNetdev, String qemuNetdev, Wire atVnetd, Wire atQemu)
            throws IOException {
        vnetd.setLink(vnetdNetdev, false);
        assertBlocked(atVnetd, atQemu, "vnetd's " + vnetdNetdev + " down");
        vnetd.setLink(vnetdNetdev, true);
        assertCrossing(atVnetd, atQemu);

        qemuSide.setLink(qemuNetdev, false);
        assertBlocked(atVnetd, atQemu, "QEMU's " + qemuNetdev + " down");
        qemuSide.setLink(qemuNetdev, true);
        assertCrossing(atVnetd, atQemu);
    }

    private static void kill(VnetdProcess daemon) {
        if (daemon == null) {
            return;
        }
        try {
            daemon.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeDirectory() throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
