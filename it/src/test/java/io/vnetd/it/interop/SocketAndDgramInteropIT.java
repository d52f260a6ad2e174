package io.vnetd.it.interop;

import static io.vnetd.it.interop.InteropFixture.inet;
import static io.vnetd.it.interop.InteropFixture.unix;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * vnetd's socket backend (TCP listen/connect, UDP) and dgram backend (inet, unix) against QEMU 7.2's:
 * frames cross both ways byte for byte, and set_link down on either end stops them.
 */
class SocketAndDgramInteropIT {

    @RegisterExtension
    static final InteropFixture f = new InteropFixture();

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
        Wire atVnetd = f.vnetd().onHub(1, socket("l1", "listen", "127.0.0.1:" + port));
        Wire atQemu = f.qemu().onHub(1, socket("k1", "connect", "127.0.0.1:" + port));
        awaitConnection(f.vnetd(), "l1");

        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("l1", "k1", atVnetd, atQemu);
    }

    @Test
    void aVnetdSocketConnectingToAQemuListener() throws IOException {
        int port = Ports.tcp();
        Wire atQemu = f.qemu().onHub(2, socket("l2", "listen", "127.0.0.1:" + port));
        Wire atVnetd = f.vnetd().onHub(2, socket("k2", "connect", "127.0.0.1:" + port));
        awaitConnection(f.qemu(), "l2");
        assertTrue(f.vnetd().infoNetwork().contains("k2: index=0,type=socket,socket: connect to 127.0.0.1:" + port),
                f.vnetd().infoNetwork());

        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("k2", "l2", atVnetd, atQemu);
    }

    @Test
    void socketUdpPeers() throws IOException {
        int vnetdPort = Ports.udp();
        int qemuPort = Ports.udp();
        Wire atVnetd = f.vnetd().onHub(3, "{\"id\":\"u3\",\"type\":\"socket\",\"udp\":\"127.0.0.1:" + qemuPort
                + "\",\"localaddr\":\"127.0.0.1:" + vnetdPort + "\"}");
        Wire atQemu = f.qemu().onHub(3, "{\"id\":\"u3\",\"type\":\"socket\",\"udp\":\"127.0.0.1:" + vnetdPort
                + "\",\"localaddr\":\"127.0.0.1:" + qemuPort + "\"}");

        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("u3", "u3", atVnetd, atQemu);
    }

    @Test
    void dgramInetPeers() throws IOException {
        int vnetdPort = Ports.udp();
        int qemuPort = Ports.udp();
        Wire atVnetd = f.vnetd().onHub(4, dgram("d4", inet(vnetdPort), inet(qemuPort)));
        Wire atQemu = f.qemu().onHub(4, dgram("d4", inet(qemuPort), inet(vnetdPort)));

        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("d4", "d4", atVnetd, atQemu);
    }

    @Test
    void dgramUnixPeers() throws IOException {
        Path vnetdPath = f.dir().resolve("vnetd-dgram.sock");
        Path qemuPath = f.dir().resolve("qemu-dgram.sock");
        Wire atVnetd = f.vnetd().onHub(5, dgram("d5", unix(vnetdPath), unix(qemuPath)));
        Wire atQemu = f.qemu().onHub(5, dgram("d5", unix(qemuPath), unix(vnetdPath)));
        assertTrue(f.vnetd().infoNetwork().contains("d5: index=0,type=dgram,udp=" + vnetdPath + ":" + qemuPath),
                f.vnetd().infoNetwork());

        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("d5", "d5", atVnetd, atQemu);
    }

    private static String dgram(String id, String local, String remote) {
        return "{\"id\":\"" + id + "\",\"type\":\"dgram\",\"local\":" + local + ",\"remote\":" + remote + "}";
    }

}
