package io.vnetd.it.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vnetd's stream backend against QEMU 7.2's, each as server and as client, over TCP and unix sockets:
 * frames cross both ways byte for byte, vnetd announces the connection as QEMU does, and set_link down
 * on either end stops them.
 */
class StreamInteropIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT = Duration.ofSeconds(10);

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

    private static String stream(String id, boolean server, String addr) {
        return "{\"id\":\"" + id + "\",\"type\":\"stream\",\"server\":" + server + ",\"addr\":" + addr + "}";
    }

    private static String inet(int port) {
        return "{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + port + "\"}";
    }

    private static String unix(Path path) {
        return "{\"type\":\"unix\",\"path\":\"" + path + "\"}";
    }

    private static JsonNode connected(InteropFixture.Side side, String netdev) throws IOException {
        return side.qmp().awaitEvent("NETDEV_STREAM_CONNECTED", netdev, CONNECT)
                .orElseThrow(() -> new AssertionError(side + ": no NETDEV_STREAM_CONNECTED for " + netdev + " within " + CONNECT))
                .get("data");
    }

    @Test
    void aQemuClientOfAVnetdServerOverTcp() throws IOException {
        int port = Ports.tcp();
        f.vnetd().add(stream("s1", true, inet(port)));
        f.vnetd().joinHub(1, "s1");
        Wire atVnetd = f.vnetd().wire(1, "w1");
        f.qemu().add(stream("c1", false, inet(port)));
        f.qemu().joinHub(1, "c1");
        Wire atQemu = f.qemu().wire(1, "w1");

        JsonNode vnetdSide = connected(f.vnetd(), "s1");
        JsonNode qemuSide = connected(f.qemu(), "c1");
        assertEquals(JSON.readTree("{\"host\":\"127.0.0.1\",\"port\":\"" + port + "\",\"ipv4\":true,\"type\":\"inet\"}"),
                qemuSide.get("addr"));
        String clientPort = vnetdSide.path("addr").path("port").asText();
        assertEquals(JSON.readTree("{\"host\":\"127.0.0.1\",\"port\":\"" + clientPort + "\",\"ipv4\":true,\"type\":\"inet\"}"),
                vnetdSide.get("addr"));
        assertTrue(f.vnetd().infoNetwork().contains("s1: index=0,type=stream,tcp:127.0.0.1:" + clientPort + "\r\n"),
                f.vnetd().infoNetwork());

        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("s1", "c1", atVnetd, atQemu);
    }

    @Test
    void aVnetdClientOfAQemuServerOverTcp() throws IOException {
        int port = Ports.tcp();
        f.qemu().add(stream("s2", true, inet(port)));
        f.qemu().joinHub(2, "s2");
        Wire atQemu = f.qemu().wire(2, "w2");
        f.vnetd().add(stream("c2", false, inet(port)));
        f.vnetd().joinHub(2, "c2");
        Wire atVnetd = f.vnetd().wire(2, "w2");

        assertEquals(JSON.readTree("{\"host\":\"127.0.0.1\",\"port\":\"" + port + "\",\"ipv4\":true,\"type\":\"inet\"}"),
                connected(f.vnetd(), "c2").get("addr"));
        connected(f.qemu(), "s2");
        assertTrue(f.vnetd().infoNetwork().contains("c2: index=0,type=stream,tcp:127.0.0.1:" + port + "\r\n"),
                f.vnetd().infoNetwork());

        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("c2", "s2", atVnetd, atQemu);
    }

    @Test
    void aQemuClientOfAVnetdServerOverAUnixSocket() throws IOException {
        Path path = dir.resolve("vnetd-server.sock");
        f.vnetd().add(stream("s3", true, unix(path)));
        f.vnetd().joinHub(3, "s3");
        Wire atVnetd = f.vnetd().wire(3, "w3");
        f.qemu().add(stream("c3", false, unix(path)));
        f.qemu().joinHub(3, "c3");
        Wire atQemu = f.qemu().wire(3, "w3");

        JsonNode unixAddress = JSON.readTree("{\"path\":\"" + path + "\",\"type\":\"unix\"}");
        assertEquals(unixAddress, connected(f.vnetd(), "s3").get("addr"));
        assertEquals(unixAddress, connected(f.qemu(), "c3").get("addr"));
        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("s3", "c3", atVnetd, atQemu);
    }

    @Test
    void aVnetdClientOfAQemuServerOverAnAbstractUnixSocket() throws IOException {
        String name = "vnetd-interop-" + ProcessHandle.current().pid();
        String addr = "{\"type\":\"unix\",\"path\":\"" + name + "\",\"abstract\":true}";
        f.qemu().add(stream("s4", true, addr));
        f.qemu().joinHub(4, "s4");
        Wire atQemu = f.qemu().wire(4, "w4");
        f.vnetd().add(stream("c4", false, addr));
        f.vnetd().joinHub(4, "c4");
        Wire atVnetd = f.vnetd().wire(4, "w4");

        JsonNode abstractAddress = JSON.readTree(
                "{\"path\":\"" + name + "\",\"type\":\"unix\",\"abstract\":true,\"tight\":true}");
        assertEquals(abstractAddress, connected(f.vnetd(), "c4").get("addr"));
        assertEquals(abstractAddress, connected(f.qemu(), "s4").get("addr"));
        f.assertCrossing(atVnetd, atQemu);
        linkDownOnEitherEndStopsFrames("c4", "s4", atVnetd, atQemu);
    }

    @Test
    void deletingTheVnetdClientDisconnectsTheQemuServer() throws IOException {
        int port = Ports.tcp();
        f.qemu().add(stream("s5", true, inet(port)));
        f.vnetd().add(stream("c5", false, inet(port)));
        connected(f.vnetd(), "c5");
        connected(f.qemu(), "s5");

        f.vnetd().qmp().ok("netdev_del", "{\"id\":\"c5\"}");

        assertTrue(f.qemu().qmp().awaitEvent("NETDEV_STREAM_DISCONNECTED", "s5", CONNECT).isPresent(),
                "QEMU saw the connection end");
    }

    /** set_link down on vnetd's end, then on QEMU's: nothing crosses either way; up again, frames flow. */
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
