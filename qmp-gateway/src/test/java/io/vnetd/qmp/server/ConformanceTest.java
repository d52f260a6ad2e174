package io.vnetd.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.qmp.FakeNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays the conformance cases QEMU 7.2 was recorded with and compares vnetd's transcript with
 * QEMU's: the normalized records as qmp_run.py compares them, and the exact bytes of every line.
 * The server reports QEMU's version numbers here, so only the package string differs on the wire.
 *
 * <p>Where vnetd deliberately differs, the expected record is overridden below, with the reason.
 * A {@code raw} step reads as many messages as QEMU sent; a final sentinel command proves that no
 * extra message was sent.
 */
@Timeout(60)
class ConformanceTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String QEMU_PACKAGE = "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"";
    private static final String VNETD_PACKAGE = "\"package\": \"vnetd conformance\"";
    private static final Set<String> SPECIAL = Set.of("wait-event", "sleep", "raw", "raw-hex", "send", "runner", "comment");

    /** case -> step -> the response vnetd gives instead of QEMU's, and why. */
    private static final Map<String, Map<Integer, String>> DEVIATIONS = Map.of(
            // vnetd has no migration, hence no migrate-recover (an out-of-band command in QEMU)
            "qmp-capabilities-oob", Map.of(3, "{\"error\": {\"class\": \"CommandNotFound\", "
                    + "\"desc\": \"The command migrate-recover has not been found\"}}"),
            // vnetd's API level is QEMU 9.1's: stream has 'reconnect' (since 8.0), which a server refuses
            "netdev_add-unknown-arguments", Map.of(4, "{\"id\": \"stream-reconnect-not-in-7.2\", \"error\": {\"class\": \"GenericError\", "
                    + "\"desc\": \"'reconnect' option is incompatible with socket in server mode\"}}"));

    @TempDir
    Path dir;

    private static List<JsonNode> jsonLines(String resource) throws IOException {
        try (InputStream in = ConformanceTest.class.getResourceAsStream("/conformance/" + resource)) {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String s = line.strip();
                if (!s.isEmpty() && !s.startsWith("#") && !s.startsWith("//")) {
                    lines.add(QmpTestClient.JSON.readTree(s));
                }
            }
            return lines;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qmp-before-capabilities", "qmp-capabilities-twice", "qmp-unknown-command", "qmp-query-version",
        "qmp-malformed-json", "qmp-non-object-input", "qmp-missing-execute", "qmp-exec-oob-without-capability",
        "qmp-capabilities-oob", "netdev_add-missing-args", "netdev_add-unknown-type", "netdev_add-unknown-arguments"})
    void transcriptMatchesQemus(String name) throws Exception {
        List<JsonNode> steps = jsonLines("cases/" + name + ".jsonl");
        List<JsonNode> qemuRecords = jsonLines("qemu-7.2/" + name + ".out.jsonl");
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        for (JsonNode record : jsonLines("qemu-7.2/" + name + ".norm.jsonl")) {
            expected.put(key(record), record);
        }
        Map<Integer, String> deviations = DEVIATIONS.getOrDefault(name, Map.of());
        deviations.forEach((step, response) -> {
            ObjectNode record = (ObjectNode) expected.get("step " + step);
            record.set(record.has("response") ? "response" : "responses", json(response));
        });

        Path socket = dir.resolve("qmp.sock");
        try (QmpServer server = new QmpServer(new QmpServer.Context()
                .endpoint(QmpEndpoint.unix(socket))
                .networkService(new FakeNetwork())
                .qemuVersion(7, 2, 22)
                .vnetdVersion("conformance")).start();
             QmpTestClient client = QmpTestClient.connect(socket)) {
            assertEquals(List.of(UnixDomainSocketAddress.of(socket)), server.boundAddresses());
            Map<String, JsonNode> actual = new LinkedHashMap<>();
            Map<String, List<String>> wire = new LinkedHashMap<>();

            String greeting = client.readLine();
            actual.put("greeting", NODES.objectNode().set("greeting", json(greeting)));
            wire.put("greeting", List.of(greeting));
            JsonNode runner = steps.getFirst().has("runner") ? steps.getFirst().get("runner") : NODES.objectNode();
            if (runner.path("negotiate").asBoolean(true)) {
                ObjectNode request = NODES.objectNode().put("execute", "qmp_capabilities");
                ObjectNode record = command(client, 0, request, wire);
                record.put("auto", true);
                actual.put("step 0", record);
            }
            int n = 0;
            for (JsonNode step : steps) {
                if (step.has("runner")) {
                    continue;
                }
                n++;
                ObjectNode record;
                if (step.has("raw") || step.has("raw-hex") || step.has("send")) {
                    String label = step.has("raw") ? "raw" : step.has("raw-hex") ? "raw-hex" : "send";
                    byte[] bytes = switch (label) {
                        case "raw" -> step.get("raw").textValue().getBytes(StandardCharsets.UTF_8);
                        case "raw-hex" -> HexFormat.of().parseHex(step.get("raw-hex").textValue());
                        default -> (QmpTestClient.JSON.writeValueAsString(step.get("send")) + "\n").getBytes(StandardCharsets.UTF_8);
                    };
                    client.send(bytes);
                    int count = expected.get("step " + n).get("responses").size();
                    ArrayNode responses = NODES.arrayNode();
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        String line = client.readLine();
                        lines.add(line);
                        responses.add(json(line));
                    }
                    wire.put("step " + n, lines);
                    record = NODES.objectNode().put("step", n);
                    record.set(label, step.get(label));
                    record.set("responses", responses);
                    record.set("events", NODES.arrayNode());
                } else if (SPECIAL.stream().noneMatch(step::has)) {
                    record = command(client, n, step, wire);
                } else {
                    throw new IllegalArgumentException("step kind not replayed here: " + step);
                }
                actual.put("step " + n, record);
            }
            JsonNode sentinel = client.command("{\"execute\": \"query-version\", \"id\": \"sentinel\"}");
            assertEquals("sentinel", sentinel.path("id").textValue(), "no message beyond QEMU's: " + sentinel);

            Map<String, JsonNode> normalizedActual = normalizeAll(actual);
            assertEquals(expected.keySet(), normalizedActual.keySet());
            normalizeAll(expected).forEach((key, record) -> assertEquals(record, normalizedActual.get(key), name + ": " + key));

            for (JsonNode qemu : qemuRecords) {
                String key = key(qemu);
                if (qemu.has("wire") && !(qemu.has("step") && deviations.containsKey(qemu.get("step").asInt()))) {
                    List<String> qemuWire = new ArrayList<>();
                    qemu.get("wire").forEach(line -> qemuWire.add(line.textValue().replace(QEMU_PACKAGE, VNETD_PACKAGE)));
                    assertEquals(qemuWire, wire.get(key), name + ": bytes of " + key);
                }
            }
        }
    }

    private static ObjectNode command(QmpTestClient client, int n, JsonNode request, Map<String, List<String>> wire) throws IOException {
        client.send(QmpTestClient.JSON.writeValueAsString(request) + "\n");
        String line = client.readLine();
        wire.put("step " + n, List.of(line));
        ObjectNode record = NODES.objectNode().put("step", n);
        record.set("request", request);
        record.set("response", json(line));
        record.set("events", NODES.arrayNode());
        return record;
    }

    private static String key(JsonNode record) {
        return record.has("greeting") ? "greeting" : "step " + record.get("step").asInt();
    }

    private static JsonNode json(String text) {
        try {
            return QmpTestClient.JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** qmp_run.py's normalization of versions, applied wherever a VersionInfo appears. */
    private static Map<String, JsonNode> normalizeAll(Map<String, JsonNode> records) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        records.forEach((key, record) -> out.put(key, normalize(record.deepCopy())));
        return out;
    }

    private static JsonNode normalize(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.size() == 2 && object.has("package") && object.get("qemu") instanceof ObjectNode qemu) {
                qemu.fieldNames().forEachRemaining(field -> qemu.put(field, "<N>"));
                object.put("package", "<PACKAGE>");
            }
            object.forEach(ConformanceTest::normalize);
        } else if (node instanceof ArrayNode array) {
            array.forEach(ConformanceTest::normalize);
        }
        return node;
    }
}
