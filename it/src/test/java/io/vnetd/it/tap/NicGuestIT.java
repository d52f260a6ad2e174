package io.vnetd.it.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.interop.Ports;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NIC with a tap guest side in a network namespace, on a real daemon: what the namespace's network
 * stack asks of the interface ({@code ip link set promisc on}, {@code ip maddr add}, a MAC change, a
 * VLAN interface) is the NIC's rx-filter in {@code query-rx-filter}, each change announced by
 * {@code NIC_RX_FILTER_CHANGED} (once until queried); frames from the hub reach the interface only
 * if that filter takes them (the others are counted as dropped by the filter), frames the interface
 * sends leave through the NIC; the interface and the filter survive {@code kill -9}, and
 * {@code device_del} removes the interface.
 *
 * <p>Topology: {@code dgram d0 (127.0.0.1, this test's socket) - hp1 [hub 0] h0 - NIC n0 - tap vtg0 in
 * namespace vtguest}.
 */
class NicGuestIT {

    private static final String NS = "vtguest";
    private static final String IF = "vtg0";
    private static final String NIC_MAC = "52:54:00:12:34:56";
    private static final String NEW_MAC = "02:00:00:00:aa:01";
    private static final String GROUP = "01:00:5e:01:02:03";
    private static final int WAIT_SECONDS = 20;

    @TempDir
    Path dir;

    @BeforeEach
    void namespace() {
        Host.assumeTapsAndNamespaces();
        Host.remove(List.of(NS), List.of());
        Host.must("ip", "netns", "add", NS);
    }

    @AfterEach
    void removeNamespace() {
        // The guest's interface is persistent: deleting the namespace deletes it too.
        Host.remove(List.of(NS), List.of());
    }

    private static void network(QmpClient qmp, int in, int test) throws IOException {
        qmp.ok("netdev_add", "{\"type\":\"dgram\",\"id\":\"d0\","
                + "\"local\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + in + "\"},"
                + "\"remote\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + test + "\"}}");
        qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp1\",\"hubid\":0,\"netdev\":\"d0\"}");
        qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"h0\",\"hubid\":0}");
        qmp.ok("device_add", "{\"driver\":\"virtio-net-pci\",\"id\":\"n0\",\"netdev\":\"h0\","
                + "\"__io.vnetd_guest\":\"tap:" + IF + "\",\"__io.vnetd_guest-netns\":\"" + NS + "\"}");
    }

    @Test
    void theGuestsStackProgramsTheFilterFramesObeyItAndBothSurviveKillDashNine() throws Exception {
        Path data = dir.resolve("data");
        int in = Ports.udp();
        JsonNode before;
        try (DatagramChannel test = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int testPort = ((InetSocketAddress) test.getLocalAddress()).getPort();
            InetSocketAddress hub = new InetSocketAddress("127.0.0.1", in);
            try (VnetdProcess daemon = VnetdProcess.start(data); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                network(qmp, in, testPort);
                assertTrue(Host.in(NS, "ip", "link", "show", IF).output().contains("link/ether " + NIC_MAC),
                        "vnetd made the guest's tap in its namespace, with the NIC's MAC");
                JsonNode loaded = awaitFilter(qmp, f -> !f.get("promiscuous").asBoolean(), "the driver loaded");
                assertEquals("none", loaded.get("vlan").asText(), "VLAN filtering, no VLAN yet: " + loaded);
                assertEquals(NIC_MAC, loaded.get("main-mac").asText());
                Host.must("ip", "-n", NS, "link", "set", IF, "up");

                Host.must("ip", "-n", NS, "link", "set", IF, "promisc", "on");
                awaitFilter(qmp, f -> f.get("promiscuous").asBoolean(), "promisc on");

                Host.must("ip", "-n", NS, "maddr", "add", GROUP, "dev", IF);
                awaitFilter(qmp, f -> contains(f.get("multicast-table"), GROUP), "ip maddr add");

                Host.must("ip", "-n", NS, "link", "set", IF, "address", NEW_MAC);
                awaitFilter(qmp, f -> f.get("main-mac").asText().equals(NEW_MAC), "the MAC changed");

                // Two changes without a query between them: one event.
                Host.must("ip", "-n", NS, "link", "set", IF, "promisc", "off");
                Host.must("ip", "-n", NS, "link", "set", IF, "allmulticast", "on");
                assertTrue(awaitEvent(qmp, WAIT_SECONDS), "the first change is announced");
                assertFalse(awaitEvent(qmp, 3), "no second NIC_RX_FILTER_CHANGED until query-rx-filter");
                JsonNode both = awaitQuery(qmp, f -> !f.get("promiscuous").asBoolean()
                        && f.get("multicast").asText().equals("all"), "promisc off, allmulticast on");
                Host.must("ip", "-n", NS, "link", "set", IF, "allmulticast", "off");
                JsonNode quiet = awaitFilter(qmp, f -> f.get("multicast").asText().equals("normal"), "allmulticast off");
                assertFalse(quiet.get("promiscuous").asBoolean(), both.toString());

                long received = rxPackets();
                long filtered = counter(qmp, "n0", "dropped-filter");
                test.send(ByteBuffer.wrap(frame("02:00:00:00:bb:99")), hub);
                assertTrue(Host.await(() -> counter(qmp, "n0", "dropped-filter") == filtered + 1, WAIT_SECONDS),
                        "a frame to a MAC the guest did not ask for is dropped by the filter");
                test.send(ByteBuffer.wrap(frame(NEW_MAC)), hub);
                assertTrue(Host.await(() -> rxPackets() == received + 1, WAIT_SECONDS),
                        "a frame to the guest's MAC reaches its interface, the other one did not");
                test.send(ByteBuffer.wrap(frame(GROUP)), hub);
                assertTrue(Host.await(() -> rxPackets() == received + 2, WAIT_SECONDS), "so does one to its group");

                Host.must("ip", "-n", NS, "addr", "add", "198.18.230.1/24", "dev", IF);
                Host.in(NS, "ping", "-c", "1", "-W", "1", "198.18.230.2");
                assertTrue(receivedArpFrom(test, NEW_MAC), "the guest's ARP request left through the NIC and the hub");

                before = rxFilter(qmp);
                daemon.kill();
            }
            String kept = Host.in(NS, "ip", "link", "show", IF).output();
            assertTrue(kept.contains("link/ether " + NEW_MAC), "the guest's interface outlived the daemon: " + kept);

            try (VnetdProcess daemon = VnetdProcess.start(data); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                assertTrue(Host.await(() -> before.equals(rxFilterQuietly(qmp)), WAIT_SECONDS),
                        "the filter came back as it was: " + before + " / " + rxFilterQuietly(qmp));
                long received = rxPackets();
                test.send(ByteBuffer.wrap(frame(NEW_MAC)), hub);
                assertTrue(Host.await(() -> rxPackets() == received + 1, WAIT_SECONDS),
                        "frames reach the re-attached interface");
                Host.must("ip", "-n", NS, "maddr", "del", GROUP, "dev", IF);
                awaitFilter(qmp, f -> !contains(f.get("multicast-table"), GROUP), "ip maddr del after the restart");

                qmp.ok("device_del", "{\"id\":\"n0\"}");
                assertTrue(Host.await(() -> !Host.in(NS, "ip", "link", "show", IF).ok(), WAIT_SECONDS),
                        "device_del removes the guest's interface");
            }
        }
    }

    @Test
    void aVlanInterfaceOnTheGuestIsInTheVlanTable() throws Exception {
        Host.must("ip", "-n", NS, "tuntap", "add", "vtprobe", "mode", "tap");
        Host.Result vlan = Host.run("ip", "-n", NS, "link", "add", "link", "vtprobe", "name", "vtprobe.7", "type", "vlan",
                "id", "7");
        assumeTrue(vlan.ok(), "this kernel makes no VLAN interfaces (CONFIG_VLAN_8021Q): " + vlan.output().trim());
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("data"));
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            network(qmp, Ports.udp(), Ports.udp());
            awaitFilter(qmp, f -> !f.get("promiscuous").asBoolean(), "the driver loaded");
            Host.must("ip", "-n", NS, "link", "add", "link", IF, "name", IF + ".7", "type", "vlan", "id", "7");
            JsonNode seven = awaitFilter(qmp, f -> f.get("vlan-table").toString().equals("[7]"), "VLAN 7 added");
            assertEquals("normal", seven.get("vlan").asText());
            Host.must("ip", "-n", NS, "link", "delete", IF + ".7");
            awaitFilter(qmp, f -> f.get("vlan-table").isEmpty(), "VLAN 7 removed");
        }
    }

    /** An Ethernet frame to {@code mac} from a MAC of this test, of a local experimental type. */
    private static byte[] frame(String mac) {
        ByteBuffer frame = ByteBuffer.allocate(60);
        for (String octet : mac.split(":")) {
            frame.put((byte) Integer.parseInt(octet, 16));
        }
        frame.put(new byte[] {0x02, 0, 0, 0, (byte) 0xcc, 0x01});
        frame.putShort((short) 0x88b5);
        return frame.array();
    }

    private static boolean receivedArpFrom(DatagramChannel test, String mac) throws IOException, InterruptedException {
        test.configureBlocking(false);
        ByteBuffer got = ByteBuffer.allocate(2048);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() - deadline < 0) {
            got.clear();
            if (test.receive(got) == null) {
                Thread.sleep(20);
                continue;
            }
            if (got.position() >= 14 && got.getShort(12) == 0x0806 && macAt(got, 6).equals(mac)) {
                return true;
            }
        }
        return false;
    }

    private static String macAt(ByteBuffer frame, int offset) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            text.append(i == 0 ? "" : ":").append(String.format("%02x", frame.get(offset + i) & 0xff));
        }
        return text.toString();
    }

    private long rxPackets() {
        Host.Result r = Host.in(NS, "cat", "/sys/class/net/" + IF + "/statistics/rx_packets");
        return r.ok() ? Long.parseLong(r.output().trim()) : -1;
    }

    private static boolean contains(JsonNode array, String text) {
        for (JsonNode item : array) {
            if (item.asText().equals(text)) {
                return true;
            }
        }
        return false;
    }

    /** Waits for a {@code NIC_RX_FILTER_CHANGED} of n0 (consuming it), reading events as commands pass. */
    private static boolean awaitEvent(QmpClient qmp, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (Iterator<JsonNode> it = qmp.events().iterator(); it.hasNext(); ) {
                JsonNode event = it.next();
                if (event.get("event").asText().equals("NIC_RX_FILTER_CHANGED")) {
                    it.remove();
                    assertEquals("/machine/peripheral/n0/virtio-backend", event.get("data").get("path").asText());
                    return true;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(100);
            qmp.ok("query-version", null);
        }
    }

    /**
     * Waits for the filter to satisfy {@code wanted}, looking at it (which re-arms the event) only after
     * each {@code NIC_RX_FILTER_CHANGED}: every change that leads there is announced.
     */
    private static JsonNode awaitFilter(QmpClient qmp, Predicate<JsonNode> wanted, String what)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        JsonNode filter = null;
        while (System.nanoTime() - deadline < 0) {
            if (!awaitEvent(qmp, WAIT_SECONDS)) {
                break;
            }
            filter = rxFilter(qmp);
            if (wanted.test(filter)) {
                return filter;
            }
        }
        throw new AssertionError(what + ": no NIC_RX_FILTER_CHANGED led to the filter wanted; last seen " + filter);
    }

    /** Waits for the filter to satisfy {@code wanted}, querying it (for when the event was consumed already). */
    private static JsonNode awaitQuery(QmpClient qmp, Predicate<JsonNode> wanted, String what) throws Exception {
        assertTrue(Host.await(() -> wanted.test(rxFilterQuietly(qmp)), WAIT_SECONDS), what + ": " + rxFilterQuietly(qmp));
        return rxFilter(qmp);
    }

    private static JsonNode rxFilter(QmpClient qmp) throws IOException {
        return qmp.ok("query-rx-filter", "{\"name\":\"n0\"}").get(0);
    }

    private static JsonNode rxFilterQuietly(QmpClient qmp) {
        try {
            return rxFilter(qmp);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long counter(QmpClient qmp, String name, String counter) {
        try {
            for (JsonNode client : qmp.ok("__io.vnetd_query-net-clients", null)) {
                if (client.get("name").asText().equals(name)) {
                    return client.get("counters").get(counter).asLong();
                }
            }
            throw new AssertionError("no net client " + name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
