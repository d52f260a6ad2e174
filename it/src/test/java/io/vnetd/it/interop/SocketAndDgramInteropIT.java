package io.vnetd.it.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vnetd's socket backend (TCP listen/connect, UDP) and dgram backend (inet, unix) against QEMU 7.2's:
 * frames cross both ways byte for byte, and set_link down on either end stops them.
 */
class SocketAndDgramInteropIT {

    @TempDir
    static Path dir;

    private static InteropFixture f;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(Qemu.installed(), Qemu.missing());
        f = InteropFixture.start(dir);
    }

    @AfterAll
    static void stop() throws IOException {
        if (f != null) {
            f.close();
        }
    }

    private static String socket(String id, String mode, String address) {
        return "{\"id\":\"" + id + "\",\"type\":\"socket\",\"" + mode + "\":\"" + address + "\"}";
    }

    /** The socket backend announces nothing: a connection shows in the listener's {@code info network}. */
    private static void awaitConnection(InteropFixture.Side side, String netdev) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!side.infoNetwork().contains(netdev + ": index=0,type=socket,socket: connection from 127.0.0.1:")) {
            assertTrue(System.nanoTime() - deadline < 0, side + ": " + netdev + " accepted no connection: "
                    + side.infoNetwork());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void aQemuSocketConnectingToAVnetdListener() throws IOException {
        int port = Ports.tcp();
        f.vnetd().add(socket("l1", "listen", "127.0.0.1:" + port));
        f.vnetd().joinHub(1, "l1");
        Wire atVnetd = f.vnetd().wire(1, "w1");
        f.qemu().add(socket("k1", "connect", "127.0.0.1:" + port));
        f.qemu().joinHub(1, "k1");
        Wire atQemu = f.qemu().wire(1, "w1");
        awaitConnection(f.vnetd(), "l1");

        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("l1", "k1", atVnetd, atQemu);
    }

    @Test
    void aVnetdSocketConnectingToAQemuListener() throws IOException {
        int port = Ports.tcp();
        f.qemu().add(socket("l2", "listen", "127.0.0.1:" + port));
        f.qemu().joinHub(2, "l2");
        Wire atQemu = f.qemu().wire(2, "w2");
        f.vnetd().add(socket("k2", "connect", "127.0.0.1:" + port));
        f.vnetd().joinHub(2, "k2");
        Wire atVnetd = f.vnetd().wire(2, "w2");
        awaitConnection(f.qemu(), "l2");
        assertTrue(f.vnetd().infoNetwork().contains("k2: index=0,type=socket,socket: connect to 127.0.0.1:" + port),
                f.vnetd().infoNetwork());

        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("k2", "l2", atVnetd, atQemu);
    }

    @Test
    void socketUdpPeers() throws IOException {
        int vnetdPort = Ports.udp();
        int qemuPort = Ports.udp();
        f.vnetd().add("{\"id\":\"u3\",\"type\":\"socket\",\"udp\":\"127.0.0.1:" + qemuPort
                + "\",\"localaddr\":\"127.0.0.1:" + vnetdPort + "\"}");
        f.vnetd().joinHub(3, "u3");
        Wire atVnetd = f.vnetd().wire(3, "w3");
        f.qemu().add("{\"id\":\"u3\",\"type\":\"socket\",\"udp\":\"127.0.0.1:" + vnetdPort
                + "\",\"localaddr\":\"127.0.0.1:" + qemuPort + "\"}");
        f.qemu().joinHub(3, "u3");
        Wire atQemu = f.qemu().wire(3, "w3");

        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("u3", "u3", atVnetd, atQemu);
    }

    @Test
    void dgramInetPeers() throws IOException {
        int vnetdPort = Ports.udp();
        int qemuPort = Ports.udp();
        f.vnetd().add(dgram("d4", inet(vnetdPort), inet(qemuPort)));
        f.vnetd().joinHub(4, "d4");
        Wire atVnetd = f.vnetd().wire(4, "w4");
        f.qemu().add(dgram("d4", inet(qemuPort), inet(vnetdPort)));
        f.qemu().joinHub(4, "d4");
        Wire atQemu = f.qemu().wire(4, "w4");

        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("d4", "d4", atVnetd, atQemu);
    }

    @Test
    void dgramUnixPeers() throws IOException {
        Path vnetdPath = dir.resolve("vnetd-dgram.sock");
        Path qemuPath = dir.resolve("qemu-dgram.sock");
        f.vnetd().add(dgram("d5", unix(vnetdPath), unix(qemuPath)));
        f.vnetd().joinHub(5, "d5");
        Wire atVnetd = f.vnetd().wire(5, "w5");
        f.qemu().add(dgram("d5", unix(qemuPath), unix(vnetdPath)));
        f.qemu().joinHub(5, "d5");
        Wire atQemu = f.qemu().wire(5, "w5");
        assertTrue(f.vnetd().infoNetwork().contains("d5: index=0,type=dgram,udp=" + vnetdPath + ":" + qemuPath),
                f.vnetd().infoNetwork());

        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("d5", "d5", atVnetd, atQemu);
    }

    private static String dgram(String id, String local, String remote) {
        return "{\"id\":\"" + id + "\",\"type\":\"dgram\",\"local\":" + local + ",\"remote\":" + remote + "}";
    }

    private static String inet(int port) {
        return "{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + port + "\"}";
    }

    private static String unix(Path path) {
        return "{\"type\":\"unix\",\"path\":\"" + path + "\"}";
    }

    private static void linkDownOnEitherEndStopsFrames(String vnetdNetdev, String qemuNetdev, Wire atVnetd,
                                                       Wire atQemu) throws IOException {
        f.vnetd().setLink(vnetdNetdev, false);
        f.assertBlocked(atVnetd, atQemu, "vnetd's " + vnetdNetdev + " down");
        f.vnetd().setLink(vnetdNetdev, true);
        f.assertCrossing(atVnetd, atQemu);

        f.qemu().setLink(qemuNetdev, false);
        f.assertBlocked(atVnetd, atQemu, "QEMU's " + qemuNetdev + " down");
        f.qemu().setLink(qemuNetdev, true);
        f.assertCrossing(atVnetd, atQemu);
    }
}
