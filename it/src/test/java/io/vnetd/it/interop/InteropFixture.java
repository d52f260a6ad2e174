package io.vnetd.it.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A vnetd daemon and a QEMU 7.2 with no guest, each able to grow hubs whose frames a test sends and
 * receives through a dgram netdev ({@link Wire}). A transport joins the two (a stream, a socket, a
 * dgram pair), each end on a hub with a wire of its own, so a frame sent on the vnetd wire must cross
 * vnetd, the transport and QEMU to reach the QEMU wire, and back.
 */
public final class InteropFixture implements AutoCloseable {

    static final Duration ARRIVAL = Duration.ofSeconds(10);
    static final Duration SILENCE = Duration.ofMillis(500);

    private final VnetdProcess daemon;
    private final Side vnetd;
    private final Qemu qemu;
    private final Side qemuSide;
    private final List<Wire> wires = new ArrayList<>();
    private int sequence;

    private InteropFixture(VnetdProcess daemon, Qmp vnetdQmp, Qemu qemu) {
        this.daemon = daemon;
        this.vnetd = new Side("vnetd", vnetdQmp);
        this.qemu = qemu;
        this.qemuSide = new Side("QEMU", qemu.qmp());
    }

    public static InteropFixture start(Path dir) throws IOException {
        Path vnetdDir = Files.createDirectories(dir.resolve("vnetd"));
        Path qemuDir = Files.createDirectories(dir.resolve("qemu"));
        VnetdProcess daemon = VnetdProcess.start(vnetdDir);
        try {
            Qmp qmp = Qmp.connect(daemon.qmpSocket());
            return new InteropFixture(daemon, qmp, Qemu.start(qemuDir, List.of()));
        } catch (IOException | RuntimeException e) {
            kill(daemon);
            throw e;
        }
    }

    public Side vnetd() {
        return vnetd;
    }

    public Side qemu() {
        return qemuSide;
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

        /** A dgram netdev named {@code id} on hub {@code hub} whose remote is a new wire. */
        public Wire wire(int hub, String id) throws IOException {
            Wire wire = Wire.open();
            wires.add(wire);
            int local = Ports.udp();
            add("{\"id\":\"" + id + "\",\"type\":\"dgram\",\"local\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\""
                    + local + "\"},\"remote\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + wire.port() + "\"}}");
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

    @Override
    public void close() throws IOException {
        try {
            for (Wire wire : wires) {
                wire.close();
            }
            vnetd.qmp.close();
            qemu.close();
        } finally {
            kill(daemon);
        }
    }

    private static void kill(VnetdProcess daemon) {
        try {
            daemon.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
