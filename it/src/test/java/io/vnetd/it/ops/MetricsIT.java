package io.vnetd.it.ops;

import static io.vnetd.it.support.LoopbackDgram.FRAME_LENGTH;
import static io.vnetd.it.support.LoopbackDgram.frame;
import static io.vnetd.it.support.LoopbackDgram.netdev;
import static io.vnetd.it.support.LoopbackDgram.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.interop.Ports;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint as an operator uses it: {@code vnetd.metrics.listen} set, some commands (one refused)
 * and frames through {@code dgram d0 - hp0 [hub 0] hp1 - dgram d1} with {@code hp2} alone on the hub, then a scrape
 * over HTTP, parsed strictly.
 */
class MetricsIT {

    private static final Pattern METRICS_URL = Pattern.compile("metrics (http://\\S+/metrics)");
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void scrapeShowsTrafficCommandsJournalWritesEntitiesAndTheJvm() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.startWithJvmOptions(List.of("-Dvnetd.metrics.listen=127.0.0.1:0"),
                dir.resolve("var"));
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket());
             DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Matcher url = METRICS_URL.matcher(daemon.readyLine());
            assertTrue(url.find(), daemon.readyLine());
            URI metrics = URI.create(url.group(1));
            assertTrue(metrics.getHost().equals("127.0.0.1"), metrics.toString());

            int in = Ports.udp();
            qmp.ok("netdev_add", netdev("d0", in, port(sender)));
            qmp.ok("netdev_add", netdev("d1", Ports.udp(), port(receiver)));
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp0\",\"hubid\":0,\"netdev\":\"d0\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp1\",\"hubid\":0,\"netdev\":\"d1\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp2\",\"hubid\":0}");
            JsonNode duplicate = qmp.execute("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp2\",\"hubid\":1}");
            assertEquals("GenericError", duplicate.at("/error/class").asText(), duplicate.toString());
            JsonNode missing = qmp.execute("netdev_del", "{\"id\":\"nowhere\"}");
            assertEquals("DeviceNotFound", missing.at("/error/class").asText(), missing.toString());
            JsonNode unknown = qmp.execute("no-such-command", (JsonNode) null);
            assertEquals("CommandNotFound", unknown.at("/error/class").asText(), unknown.toString());

            InetSocketAddress to = new InetSocketAddress("127.0.0.1", in);
            for (int i = 1; i <= 3; i++) {
                sender.send(ByteBuffer.wrap(frame(i)), to);
            }
            PrometheusText scraped = awaitScrape(metrics, "vnetd_netclient_tx_frames_total",
                    Map.of("name", "hp1"), 3);

            assertEquals("counter", scraped.type("vnetd_netclient_tx_frames_total")
                    .or(() -> scraped.type("vnetd_netclient_tx_frames")).orElseThrow());
            Map<String, String> hp1 = Map.of("name", "hp1", "type", "hubport", "hub", "0");
            assertEquals(3, scraped.value("vnetd_netclient_tx_frames_total", hp1), "frames hp1 sent towards d1");
            assertEquals(3.0 * FRAME_LENGTH, scraped.value("vnetd_netclient_tx_bytes_total", hp1));
            assertEquals(3, scraped.value("vnetd_netclient_rx_frames_total", Map.of("name", "hp0", "hub", "0")));
            assertEquals(3, scraped.value("vnetd_netclient_tx_frames_total", Map.of("name", "d0", "type", "dgram")));
            assertFalse(scraped.samples("vnetd_netclient_tx_frames_total").stream()
                    .filter(s -> s.labels().get("name").equals("d0")).anyMatch(s -> s.labels().containsKey("hub")),
                    "a dgram netdev is on no hub");
            assertEquals(3, scraped.value("vnetd_netclient_dropped_peer_absent_total",
                    Map.of("name", "hp2", "type", "hubport")), "hp2 has no peer: its copies are dropped");
            assertEquals(0, scraped.value("vnetd_netclient_dropped_link_down_total", Map.of("name", "d1")));
            assertEquals(0, scraped.value("vnetd_netclient_peer_errors_total", Map.of("name", "d0", "type", "dgram")),
                    "connections closed for a peer's protocol errors: a counter of their own, not a drop reason");

            assertEquals(5, scraped.value("vnetd_qmp_commands_total",
                    Map.of("command", "netdev_add", "outcome", "success")));
            assertEquals(1, scraped.value("vnetd_qmp_commands_total",
                    Map.of("command", "netdev_add", "outcome", "GenericError")));
            assertEquals(1, scraped.value("vnetd_qmp_commands_total",
                    Map.of("command", "netdev_del", "outcome", "DeviceNotFound")));
            assertEquals(1, scraped.value("vnetd_qmp_commands_total",
                    Map.of("command", "unknown", "outcome", "CommandNotFound")), "a made-up name is no label");
            assertEquals(1, scraped.value("vnetd_qmp_commands_total",
                    Map.of("command", "qmp_capabilities", "outcome", "success")));

            assertEquals("histogram", scraped.type("vnetd_journal_write_seconds").orElseThrow());
            double writes = scraped.value("vnetd_journal_write_seconds_count", Map.of());
            assertTrue(writes >= 1, "the journal logged the netdevs: " + writes);
            assertEquals(writes, scraped.value("vnetd_journal_write_seconds_bucket", Map.of("le", "+Inf")));
            assertTrue(scraped.value("vnetd_journal_write_seconds_sum", Map.of()) > 0);
            assertEquals(writes, scraped.value("vnetd_journal_write_group_requests_count", Map.of()),
                    "one group size for each flush");
            assertTrue(scraped.value("vnetd_journal_write_group_requests_sum", Map.of()) >= 5,
                    "five netdev_add were journaled");
            assertBucketsRise(scraped, "vnetd_journal_write_seconds_bucket");

            assertEquals(5, scraped.value("vnetd_entities", Map.of("kind", "netdev")));
            assertEquals(0, scraped.value("vnetd_entities", Map.of("kind", "nic")));
            assertTrue(scraped.value("jvm_threads_current", Map.of()) > 10, "the JVM's own metrics");
            assertTrue(scraped.value("jvm_memory_used_bytes", Map.of("area", "heap")) > 0);

            qmp.ok("netdev_del", "{\"id\":\"hp2\"}");
            PrometheusText after = scrape(metrics);
            assertTrue(after.samples("vnetd_netclient_tx_frames_total").stream()
                    .noneMatch(s -> s.labels().get("name").equals("hp2")), "a deleted client leaves the scrape");
            assertEquals(4, after.value("vnetd_entities", Map.of("kind", "netdev")));
            assertEquals(0, daemon.terminate());
        }
    }

    @Test
    void theEndpointIsOffByDefaultAndABadAddressIsAOneLineError() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("off"))) {
            assertFalse(daemon.readyLine().contains("metrics"), daemon.readyLine());
        }
        Path config = Files.writeString(dir.resolve("vnetd.conf"), "vnetd.metrics.listen = \"127.0.0.1\"\n");
        Process refused = new ProcessBuilder(VnetdProcess.command("--data-dir", dir.resolve("bad").toString(),
                "--config", config.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS), "vnetd should have exited");
        assertEquals(1, refused.exitValue(), stderr);
        assertEquals(List.of("vnetd: vnetd.metrics.listen must be HOST:PORT (e.g. 127.0.0.1:9464), not '127.0.0.1'"),
                stderr.lines().toList());
    }

    private static void assertBucketsRise(PrometheusText scraped, String name) {
        double previous = 0;
        for (PrometheusText.Sample bucket : scraped.samples(name)) {
            assertTrue(bucket.value() >= previous, "buckets are cumulative: " + scraped.series(name));
            previous = bucket.value();
        }
    }

    private PrometheusText scrape(URI metrics) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(contentType.startsWith("text/plain; version=0.0.4"), contentType);
        return PrometheusText.parse(response.body());
    }

    private PrometheusText awaitScrape(URI metrics, String name, Map<String, String> labels, double value)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (true) {
            PrometheusText scraped = scrape(metrics);
            double now = scraped.valueOrZero(name, labels);
            if (now == value) {
                return scraped;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(name + labels + " stayed " + now + ", expected " + value);
            }
            Thread.sleep(50);
        }
    }

}
