package io.vnetd.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a client was told is done survives the daemon's death, abrupt or orderly. */
class CrashRecoveryIT {

    private static final String NET_CLIENTS = "__io.vnetd_query-net-clients";

    @TempDir
    Path dataDir;

    /** Three hubports on two hubs, one peered across the hubs, one link down; returns the listings. */
    private static Listing buildNetwork(QmpClient qmp) throws IOException {
        qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp0\",\"hubid\":0}");
        qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp1\",\"hubid\":0}");
        qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp2\",\"hubid\":1,\"netdev\":\"hp1\"}");
        qmp.ok("set_link", "{\"name\":\"hp0\",\"up\":false}");
        return Listing.of(qmp);
    }

    record Listing(JsonNode clients, String infoNetwork) {
        static Listing of(QmpClient qmp) throws IOException {
            return new Listing(qmp.ok(NET_CLIENTS, null), qmp.hmp("info network"));
        }
    }

    @Test
    void everyAcknowledgedChangeSurvivesKillDashNine() throws Exception {
        Listing before;
        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            before = buildNetwork(qmp);
            // The last return arrived: kill at once, with no chance to flush anything.
            daemon.kill();
        }
        assertEquals("hub 1\r\n \\ hp2: hp1: index=0,type=hubport,\r\nhub 0\r\n \\ hp1: hp2: index=0,type=hubport,\r\n \\ hp0\r\n",
                before.infoNetwork());
        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            Listing after = Listing.of(qmp);
            assertEquals(before, after);
            JsonNode hp0 = after.clients().get(0);
            assertEquals("hp0", hp0.get("name").asText());
            assertEquals(false, hp0.get("link-up").asBoolean());
            // The recovered network keeps obeying the rules.
            assertEquals("Duplicate ID 'hp1'", qmp.execute("netdev_add",
                    "{\"type\":\"hubport\",\"id\":\"hp1\",\"hubid\":5}").at("/error/desc").asText());
            qmp.ok("netdev_del", "{\"id\":\"hp1\"}");
            assertEquals("hub 1\r\n \\ hp2\r\nhub 0\r\n \\ hp0\r\n", qmp.hmp("info network"));
            daemon.kill();
        }
        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            assertEquals("hub 1\r\n \\ hp2\r\nhub 0\r\n \\ hp0\r\n", qmp.hmp("info network"));
        }
    }

    @Test
    void everythingSurvivesACleanSigterm() throws Exception {
        Listing before;
        try (VnetdProcess daemon = VnetdProcess.start(dataDir)) {
            try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                before = buildNetwork(qmp);
            }
            assertEquals(0, daemon.terminate(), daemon.stderr());
        }
        try (VnetdProcess daemon = VnetdProcess.start(dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            assertEquals(before, Listing.of(qmp));
        }
    }

    @Test
    void daemonsKilledAgainAndAgainLeaveOneCopyOfLmdbsLibraryBehind(@TempDir Path tmp) throws Exception {
        List<String> privateTmp = List.of("-Djava.io.tmpdir=" + tmp);
        for (int start = 0; start < 3; start++) {
            try (VnetdProcess daemon = VnetdProcess.startWithJvmOptions(privateTmp, dataDir);
                 QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp" + start + "\",\"hubid\":0}");
                daemon.kill();
            }
        }
        List<String> left;
        try (Stream<Path> files = Files.walk(tmp)) {
            left = files.filter(Files::isRegularFile).map(file -> tmp.relativize(file).toString()).sorted().toList();
        }
        assertEquals(1, left.size(), left.toString());
        assertTrue(left.getFirst().matches("vnetd-[^/]+/liblmdb-[0-9a-f]{16}\\.so"), left.toString());
    }
}
