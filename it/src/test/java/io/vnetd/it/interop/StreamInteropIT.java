package io.vnetd.it.interop;

import static io.vnetd.it.interop.InteropFixture.inet;
import static io.vnetd.it.interop.InteropFixture.unix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * vnetd's stream backend against QEMU 7.2's, each as server and as client, over TCP and unix sockets:
 * frames cross both ways byte for byte, vnetd announces the connection as QEMU does, and set_link down
 * on either end stops them.
 */
class StreamInteropIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT = Duration.ofSeconds(10);

    @RegisterExtension
    static final InteropFixture f = new InteropFixture();

    private static String stream(String id, boolean server, String addr) {
        return "{\"id\":\"" + id + "\",\"type\":\"stream\",\"server\":" + server + ",\"addr\":" + addr + "}";
    }

    private static JsonNode connected(InteropFixture.Side side, String netdev) throws IOException {
        return side.qmp().awaitEvent("NETDEV_STREAM_CONNECTED", netdev, CONNECT)
                .orElseThrow(() -> new AssertionError(side + ": no NETDEV_STREAM_CONNECTED for " + netdev + " within " + CONNECT))
                .get("data");
    }

    @Test
    void aQemuClientOfAVnetdServerOverTcp() throws IOException {
        int port = Ports.tcp();
        Wire atVnetd = f.vnetd().onHub(1, stream("s1", true, inet(port)));
        Wire atQemu = f.qemu().onHub(1, stream("c1", false, inet(port)));

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
        f.assertLinkDownOnEitherEndStopsFrames("s1", "c1", atVnetd, atQemu);
    }

    @Test
    void aVnetdClientOfAQemuServerOverTcp() throws IOException {
        int port = Ports.tcp();
        Wire atQemu = f.qemu().onHub(2, stream("s2", true, inet(port)));
        Wire atVnetd = f.vnetd().onHub(2, stream("c2", false, inet(port)));

        assertEquals(JSON.readTree("{\"host\":\"127.0.0.1\",\"port\":\"" + port + "\",\"ipv4\":true,\"type\":\"inet\"}"),
                connected(f.vnetd(), "c2").get("addr"));
        connected(f.qemu(), "s2");
        assertTrue(f.vnetd().infoNetwork().contains("c2: index=0,type=stream,tcp:127.0.0.1:" + port + "\r\n"),
                f.vnetd().infoNetwork());

        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("c2", "s2", atVnetd, atQemu);
    }

    @Test
    void aQemuClientOfAVnetdServerOverAUnixSocket() throws IOException {
        Path path = f.dir().resolve("vnetd-server.sock");
        Wire atVnetd = f.vnetd().onHub(3, stream("s3", true, unix(path)));
        Wire atQemu = f.qemu().onHub(3, stream("c3", false, unix(path)));

        JsonNode unixAddress = JSON.readTree("{\"path\":\"" + path + "\",\"type\":\"unix\"}");
        assertEquals(unixAddress, connected(f.vnetd(), "s3").get("addr"));
        assertEquals(unixAddress, connected(f.qemu(), "c3").get("addr"));
        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("s3", "c3", atVnetd, atQemu);
    }

    @Test
    void aVnetdClientOfAQemuServerOverAnAbstractUnixSocket() throws IOException {
        String name = "vnetd-interop-" + ProcessHandle.current().pid();
        String addr = "{\"type\":\"unix\",\"path\":\"" + name + "\",\"abstract\":true}";
        Wire atQemu = f.qemu().onHub(4, stream("s4", true, addr));
        Wire atVnetd = f.vnetd().onHub(4, stream("c4", false, addr));

        JsonNode abstractAddress = JSON.readTree(
                "{\"path\":\"" + name + "\",\"type\":\"unix\",\"abstract\":true,\"tight\":true}");
        assertEquals(abstractAddress, connected(f.vnetd(), "c4").get("addr"));
        assertEquals(abstractAddress, connected(f.qemu(), "s4").get("addr"));
        f.assertCrossing(atVnetd, atQemu);
        f.assertLinkDownOnEitherEndStopsFrames("c4", "s4", atVnetd, atQemu);
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
}
