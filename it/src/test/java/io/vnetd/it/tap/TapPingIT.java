package io.vnetd.it.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tap netdevs on one hub of a real daemon, each tap moved into a network namespace of its own:
 * ping crosses vnetd both ways, stops while one link is down, and works again after {@code kill -9}
 * and a restart, the entities having made the taps again and run the up script again; the down
 * script runs when the netdev is deleted.
 */
class TapPingIT {

    private static final String NS_A = "vtpingA";
    private static final String NS_B = "vtpingB";
    private static final String TAP_A = "vtping0";
    private static final String TAP_B = "vtping1";
    private static final String IP_A = "198.18.224.1";
    private static final String IP_B = "198.18.224.2";
    private static final String TAP_TAKEN = "vtping2";

    @TempDir
    Path dir;

    @BeforeEach
    void namespaces() {
        Host.assumeTapsAndNamespaces();
        Host.remove(List.of(NS_A, NS_B), List.of(TAP_A, TAP_B, TAP_TAKEN));
        Host.must("ip", "netns", "add", NS_A);
        Host.must("ip", "netns", "add", NS_B);
    }

    @AfterEach
    void removeEverything() {
        Host.remove(List.of(NS_A, NS_B), List.of(TAP_A, TAP_B, TAP_TAKEN));
    }

    private static void tap(QmpClient qmp, String id, String ifname, String script, String downscript) throws IOException {
        qmp.ok("netdev_add", "{\"type\":\"tap\",\"id\":\"" + id + "\",\"ifname\":\"" + ifname
                + "\",\"script\":\"" + script + "\",\"downscript\":\"" + downscript + "\"}");
    }

    /** A script that logs what it was run for to {@code log}. */
    private Path logger(String name, String word, Path log) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\necho \"" + word + " $1\" >> " + log + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** Waits for the daemon to have made both taps, then puts them in their namespaces, addressed. */
    private static void wire() throws InterruptedException {
        assertTrue(Host.await(() -> Host.interfaceExists(TAP_A) && Host.interfaceExists(TAP_B), 60),
                "the netdevs made their taps");
        Host.moveAndAddress(TAP_A, NS_A, IP_A + "/24");
        Host.moveAndAddress(TAP_B, NS_B, IP_B + "/24");
    }

    @Test
    void pingCrossesVnetdBothWaysObeysTheLinkAndSurvivesKillDashNine() throws Exception {
        Path log = dir.resolve("scripts.log");
        Path dataDir = dir.resolve("data");
        Path up = logger("ifup", "up", log);
        Path down = logger("ifdown", "down", log);
        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            tap(qmp, "ta", TAP_A, up.toString(), down.toString());
            tap(qmp, "tb", TAP_B, "no", "no");
            assertEquals(List.of("up " + TAP_A), Files.readAllLines(log));
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hpa\",\"hubid\":0,\"netdev\":\"ta\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hpb\",\"hubid\":0,\"netdev\":\"tb\"}");
            assertEquals("hub 0\r\n \\ hpb: tb: index=0,type=tap,ifname=vtping1,script=no,downscript=no\r\n"
                    + " \\ hpa: ta: index=0,type=tap,ifname=vtping0,script=" + up + ",downscript=" + down + "\r\n",
                    qmp.hmp("info network"));
            wire();
            assertTrue(Host.ping(NS_A, IP_B, 10), "A reaches B through vnetd");
            assertTrue(Host.ping(NS_B, IP_A, 10), "B reaches A through vnetd");

            qmp.ok("set_link", "{\"name\":\"ta\",\"up\":false}");
            assertFalse(Host.in(NS_A, "ping", "-c", "3", "-i", "0.2", "-W", "1", IP_B).ok(), "no ping while ta is down");
            assertFalse(Host.in(NS_B, "ping", "-c", "3", "-i", "0.2", "-W", "1", IP_A).ok(), "nor the other way");
            qmp.ok("set_link", "{\"name\":\"ta\",\"up\":true}");
            assertTrue(Host.ping(NS_A, IP_B, 10), "A reaches B again with the link up");

            daemon.kill();
        }
        // The taps went with the daemon's descriptors.
        assertFalse(Host.in(NS_A, "ip", "link", "show", TAP_A).ok(), "the tap went with the daemon");

        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            wire();
            assertEquals(List.of("up " + TAP_A, "up " + TAP_A), Files.readAllLines(log), "the script ran for the new tap");
            assertTrue(Host.ping(NS_A, IP_B, 10), "A reaches B after the restart");
            assertTrue(Host.ping(NS_B, IP_A, 10), "B reaches A after the restart");
            JsonNode clients = qmp.ok("__io.vnetd_query-net-clients", null);
            for (JsonNode client : clients) {
                assertEquals("ok", client.get("status").asText(), client.toString());
            }
            qmp.ok("netdev_del", "{\"id\":\"ta\"}");
            assertTrue(Host.await(() -> !Host.in(NS_A, "ip", "link", "show", TAP_A).ok(), 10),
                    "netdev_del removes the tap");
            assertEquals(List.of("up " + TAP_A, "up " + TAP_A, "down " + TAP_A), Files.readAllLines(log),
                    "the down script ran before the tap went");
        }
    }

    /** A SIGTERM stops vnetd as QEMU's quit does: each tap's down script runs, then the tap goes. */
    @Test
    void theDownScriptRunsWhenVnetdStops() throws Exception {
        Path log = dir.resolve("scripts.log");
        Path down = logger("ifdown", "down", log);
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("data"))) {
            try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                tap(qmp, "ta", TAP_A, "no", down.toString());
            }
            assertEquals(0, daemon.terminate(), daemon.stderr());
        }
        assertEquals(List.of("down " + TAP_A), Files.readAllLines(log));
        assertFalse(Host.interfaceExists(TAP_A), "the tap went with vnetd");
    }

    /**
     * A tap whose name another interface took while the daemon was down: the netdev stays, the
     * listing says why it has no tap, and the entity's retries make the tap once the name is free.
     */
    @Test
    void aTapThatCannotBeMadeAgainRetriesAndSaysWhy() throws Exception {
        Path dataDir = dir.resolve("data");
        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            tap(qmp, "tt", TAP_TAKEN, "no", "no");
            daemon.kill();
        }
        assertTrue(Host.await(() -> !Host.interfaceExists(TAP_TAKEN), 10), "the tap went with the daemon");
        Host.must("ip", "link", "add", TAP_TAKEN, "type", "bridge");
        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            String why = "could not configure /dev/net/tun (" + TAP_TAKEN + "): Invalid argument";
            assertTrue(Host.await(() -> why.equals(status(qmp, "tt")), 30), "the listing says why: " + status(qmp, "tt"));
            assertEquals("tt: index=0,type=tap,\r\n", qmp.hmp("info network"));
            Host.must("ip", "link", "delete", TAP_TAKEN);
            String made = "tt: index=0,type=tap,ifname=" + TAP_TAKEN + ",script=no,downscript=no\r\n";
            assertTrue(Host.await(() -> made.equals(hmp(qmp, "info network")), 60), "the retry made the tap");
            assertTrue(Host.run("ip", "-d", "link", "show", TAP_TAKEN).output().contains("tun type tap"), "a tap again");
            assertEquals("ok", status(qmp, "tt"), "the listing no longer says why");
        }
    }

    private static String hmp(QmpClient qmp, String command) {
        try {
            return qmp.hmp(command);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String status(QmpClient qmp, String name) {
        try {
            for (JsonNode client : qmp.ok("__io.vnetd_query-net-clients", null)) {
                if (client.get("name").asText().equals(name)) {
                    return client.get("status").asText();
                }
            }
            return "absent";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
