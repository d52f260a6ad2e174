package io.vnetd.it.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * vnetd's l2tpv3 backend against QEMU 7.2's, one static session between them: over UDP (IPv4 and IPv6)
 * and over IP protocol 115 (IPv4 and IPv6), with cookies, counters and offsets; frames cross both ways
 * byte for byte, set_link down on either end stops them, and the session comes back when vnetd is
 * killed and restarted.
 */
class L2tpv3InteropIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final InteropFixture f = new InteropFixture();

    /**
     * The two ends of one session: {@code vnetd} is vnetd's netdev; QEMU's mirrors it (addresses, ports,
     * sessions and cookies swapped).
     */
    private record Session(ObjectNode vnetd, ObjectNode qemu) {

        static Session between(String id, String vnetdHost, String qemuHost) {
            int vnetdSession = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
            ObjectNode vnetd = JSON.createObjectNode().put("id", id).put("type", "l2tpv3")
                    .put("src", vnetdHost).put("dst", qemuHost)
                    .put("txsession", vnetdSession).put("rxsession", vnetdSession + 1L);
            ObjectNode qemu = JSON.createObjectNode().put("id", id).put("type", "l2tpv3")
                    .put("src", qemuHost).put("dst", vnetdHost)
                    .put("txsession", vnetdSession + 1L).put("rxsession", vnetdSession);
            return new Session(vnetd, qemu);
        }

        Session udp() {
            int vnetdPort = Ports.udp();
            int qemuPort = Ports.udp();
            vnetd.put("udp", true).put("srcport", String.valueOf(vnetdPort)).put("dstport", String.valueOf(qemuPort));
            qemu.put("udp", true).put("srcport", String.valueOf(qemuPort)).put("dstport", String.valueOf(vnetdPort));
            return this;
        }

        Session ipv6() {
            return both("ipv6", true);
        }

        Session cookies(long vnetdTx, long qemuTx, boolean cookie64) {
            vnetd.put("txcookie", vnetdTx).put("rxcookie", qemuTx);
            qemu.put("txcookie", qemuTx).put("rxcookie", vnetdTx);
            return cookie64 ? both("cookie64", true) : this;
        }

        Session both(String option, boolean value) {
            vnetd.put(option, value);
            qemu.put(option, value);
            return this;
        }

        Session offset(int bytes) {
            vnetd.put("offset", bytes);
            qemu.put("offset", bytes);
            return this;
        }

        String id() {
            return vnetd.get("id").asText();
        }
    }

    /** Each end on hub {@code hub} with a wire; returns them, vnetd's first. */
    private static Wire[] join(int hub, Session session) throws IOException {
        Wire atVnetd = f.vnetd().onHub(hub, session.vnetd().toString());
        return new Wire[] {atVnetd, f.qemu().onHub(hub, session.qemu().toString())};
    }

    private static void assertCrossesAndLinksStopIt(Session session, Wire[] wires) throws IOException {
        assertTrue(f.vnetd().infoNetwork().contains(session.id() + ": index=0,type=l2tpv3,l2tpv3: connected\r\n"),
                f.vnetd().infoNetwork());
        f.assertCrossing(wires[0], wires[1]);
        f.assertLinkDownOnEitherEndStopsFrames(session.id(), session.id(), wires[0], wires[1]);
    }

    @Test
    void overUdpWith32BitCookiesAndACounter() throws IOException {
        Session session = Session.between("l1", "127.0.0.1", "127.0.0.1").udp()
                .cookies(0x0a0b0c0dL, 0x01020304L, false).both("counter", true);
        assertCrossesAndLinksStopIt(session, join(1, session));
    }

    @Test
    void overUdpOnIpv6With64BitCookiesAPinnedCounterAndAnOffset() throws IOException {
        Session session = Session.between("l2", "::1", "::1").udp().ipv6()
                .cookies(0x0102030405060708L, 0x1112131415161718L, true)
                .both("counter", true).both("pincounter", true).offset(16);
        assertCrossesAndLinksStopIt(session, join(2, session));
    }

    @Test
    void overIpv4() throws IOException {
        // A raw socket hears every protocol-115 packet to its address: give each end one of its own.
        int net = ThreadLocalRandom.current().nextInt(1, 250);
        Session session = Session.between("l3", "127.87." + net + ".1", "127.87." + net + ".2")
                .cookies(0x0a0b0c0dL, 0x01020304L, false);
        assumeRawSockets(session);
        assertCrossesAndLinksStopIt(session, join(3, session));
    }

    @Test
    void overIpv6() throws IOException {
        // Both ends on ::1 hear each other's packets and their own; the sessions tell them apart.
        Session session = Session.between("l4", "::1", "::1").ipv6()
                .cookies(0x0102030405060708L, 0x1112131415161718L, true);
        assumeRawSockets(session);
        assertCrossesAndLinksStopIt(session, join(4, session));
    }

    @Test
    void theSessionComesBackAfterVnetdIsKilled() throws IOException {
        Session session = Session.between("l5", "127.0.0.1", "127.0.0.1").udp().both("counter", true);
        Wire[] wires = join(5, session);
        f.assertCrossing(wires[0], wires[1]);

        f.killAndRestartVnetd();

        f.assertCrossing(wires[0], wires[1]);
        assertTrue(f.vnetd().infoNetwork().contains("l5: index=0,type=l2tpv3,l2tpv3: connected\r\n"),
                f.vnetd().infoNetwork());
    }

    /** Over IP both ends need raw sockets (CAP_NET_RAW): vnetd's refusal says whether it has them. */
    private static void assumeRawSockets(Session session) throws IOException {
        ObjectNode probe = session.vnetd().deepCopy().put("id", session.id() + "-probe");
        JsonNode reply = f.vnetd().qmp().execute("netdev_add", probe);
        assumeTrue(reply.has("return"), "no raw sockets here: " + reply);
        f.vnetd().qmp().ok("netdev_del", "{\"id\":\"" + probe.get("id").asText() + "\"}");
    }
}
