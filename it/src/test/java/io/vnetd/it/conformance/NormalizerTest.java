package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The Java normalizer against qmp_run.py's own output: the recorded raw and normalized transcripts. */
class NormalizerTest {

    private static ObjectNode record(String json) throws IOException {
        return (ObjectNode) PythonJson.parse(json);
    }

    private static ObjectNode normalized(String json) throws IOException {
        return Normalizer.normalize(List.of(record(json))).getFirst();
    }

    /**
     * Each raw QEMU transcript kept in {@code qemu-7.2-raw/} normalizes to exactly the bytes of the
     * recorded {@code .norm.jsonl}: same values and, written as qmp_run.py writes, same text.
     */
    @TestFactory
    Stream<DynamicTest> recordedRawTranscriptsNormalizeToTheRecordedNormalizedOnes() throws IOException {
        ConformanceSuite suite = ConformanceSuite.load();
        List<Path> raw;
        try (Stream<Path> files = Files.list(suite.directory().resolve("qemu-7.2-raw"))) {
            raw = files.filter(f -> f.toString().endsWith(".out.jsonl")).sorted().toList();
        }
        assertFalse(raw.isEmpty(), "no raw transcripts to check the normalizer against");
        return raw.stream().map(file -> dynamicTest(file.getFileName().toString(), () -> {
            String name = file.getFileName().toString().replace(".out.jsonl", "");
            List<ObjectNode> ours = Normalizer.normalize(Transcript.read(file));
            List<String> recorded = Files.readAllLines(suite.qemuTranscriptFile(name), StandardCharsets.UTF_8);
            assertEquals(recorded.size(), ours.size(), "number of records");
            for (int i = 0; i < ours.size(); i++) {
                assertEquals(recorded.get(i), PythonJson.transcriptLine(ours.get(i)), name + " line " + (i + 1));
            }
        }));
    }

    @Test
    void ephemeralPortsInHostPortTextAreReplacedAndOtherPortsKept() throws IOException {
        String info = "ss0: index=0,type=stream,tcp:127.0.0.1:45678\\r\\nsc0: index=0,type=stream,tcp:127.0.0.1:17180\\r\\n"
                + "x: [::1]:32768 localhost:60999 fe80::1:33000 10.0.0.1:32767 10.0.0.1:61000 10.0.0.1:400000";
        ObjectNode rec = normalized("{\"step\": 6, \"request\": {\"execute\": \"human-monitor-command\"},"
                + " \"response\": {\"return\": \"" + info + "\"}, \"events\": []}");
        assertEquals("ss0: index=0,type=stream,tcp:127.0.0.1:<EPHEMERAL-PORT>\r\nsc0: index=0,type=stream,tcp:127.0.0.1:17180\r\n"
                        + "x: [::1]:<EPHEMERAL-PORT> localhost:<EPHEMERAL-PORT> fe80::1:<EPHEMERAL-PORT> 10.0.0.1:32767"
                        + " 10.0.0.1:61000 10.0.0.1:400000",
                rec.at("/response/return").asText());
    }

    @Test
    void inetSocketAddressObjectsGetTheirEphemeralPortReplaced() throws IOException {
        ObjectNode rec = normalized("""
                {"step": 4, "wait-event": "NETDEV_STREAM_CONNECTED", "timed_out": false, "events": [],
                 "event": {"event": "NETDEV_STREAM_CONNECTED", "timestamp": {"seconds": 1, "microseconds": 2},
                           "data": {"netdev-id": "ss0", "addr": {"type": "inet", "host": "127.0.0.1", "port": "41234", "ipv4": true}}}}
                """);
        assertEquals("<EPHEMERAL-PORT>", rec.at("/event/data/addr/port").asText());
        assertEquals("<TIMESTAMP>", rec.at("/event/timestamp").asText());
        ObjectNode fixed = normalized("{\"request\": {\"a\": {\"type\": \"inet\", \"port\": 17180}}}");
        assertEquals(17180, fixed.at("/request/a/port").asInt(), "a port outside the ephemeral range stays");
        ObjectNode numeric = normalized("{\"request\": {\"a\": {\"type\": \"inet\", \"port\": 50000}}}");
        assertEquals("<EPHEMERAL-PORT>", numeric.at("/request/a/port").asText(), "as Python's int() of a number");
        ObjectNode unix = normalized("{\"request\": {\"a\": {\"type\": \"unix\", \"port\": \"50000\"}}}");
        assertEquals("50000", unix.at("/request/a/port").asText(), "only inet addresses");
    }

    @Test
    void temporaryPathsAreReplacedWherePythonsPatternMatches() {
        assertEquals("unix:<PATH>", Normalizer.string("unix:/tmp/qo/stream0.sock"));
        assertEquals("<PATH>:<PATH>", Normalizer.string("/tmp/qo/dg-l1.sock:/tmp/qo/dg-r1.sock"));
        assertEquals("<PATH> and <PATH>, <PATH>", Normalizer.string("/var/tmp/a and /run/user/1000/b, /dev/shm"));
        assertEquals("a/tmp/x .tmp/x", Normalizer.string("a/tmp/x .tmp/x"), "not inside a longer path or name");
        assertEquals("'<PATH>'", Normalizer.string("'/tmp/qo/x'"));
        assertEquals("/usr/sbin/smbd", Normalizer.string("/usr/sbin/smbd"));
    }

    @Test
    void versionsAreReplacedInTheGreetingAndInQueryVersionAnswersOnly() throws IOException {
        ObjectNode greeting = normalized("""
                {"greeting": {"QMP": {"version": {"qemu": {"micro": 0, "minor": 1, "major": 9}, "package": "vnetd 0.1.0"},
                 "capabilities": ["oob"]}}}""");
        assertEquals("{\"greeting\": {\"QMP\": {\"capabilities\": [\"oob\"], \"version\": {\"package\": \"<PACKAGE>\","
                + " \"qemu\": {\"major\": \"<N>\", \"micro\": \"<N>\", \"minor\": \"<N>\"}}}}}", PythonJson.transcriptLine(greeting));
        String version = "{\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 9}, \"package\": \"vnetd 0.1.0\"}";
        ObjectNode command = normalized("{\"step\": 1, \"request\": {\"execute\": \"query-version\"},"
                + " \"response\": {\"return\": " + version + "}, \"events\": []}");
        assertEquals("<PACKAGE>", command.at("/response/return/package").asText());
        ObjectNode raw = normalized("{\"step\": 9, \"raw\": \"x\", \"responses\": [{\"return\": " + version + "}], \"events\": []}");
        assertEquals("vnetd 0.1.0", raw.at("/responses/0/return/package").asText(), "qmp_run.py leaves raw steps alone");
        ObjectNode forComparison = Normalizer.normalizeForComparison(List.of(record(
                "{\"step\": 9, \"raw\": \"x\", \"responses\": [{\"return\": " + version + "}, {\"return\": {\"package\": \"p\"}}]}"))).getFirst();
        assertEquals("<PACKAGE>", forComparison.at("/responses/0/return/package").asText());
        assertEquals("<N>", forComparison.at("/responses/0/return/qemu/major").asText());
        assertEquals("p", forComparison.at("/responses/1/return/package").asText(), "only VersionInfo-shaped answers");
    }

    @Test
    void queryCommandsIsSortedAndExecOobCounts() throws IOException {
        ObjectNode rec = normalized("""
                {"step": 1, "request": {"execute": "", "exec-oob": "query-commands"},
                 "response": {"return": [{"name": "set_link"}, {"name": "netdev_add"}, {"name": "__io.vnetd_x"}]}}""");
        assertEquals("[{\"name\": \"__io.vnetd_x\"}, {\"name\": \"netdev_add\"}, {\"name\": \"set_link\"}]",
                PythonJson.transcriptLine(rec.at("/response/return")));
    }

    @Test
    void timestampsOfReportedEventsAreReplacedAndWireAndTimingDropped() throws IOException {
        ObjectNode rec = normalized("""
                {"step": 3, "request": {"execute": "cont"}, "response": {"return": {}}, "t": 1.5, "wire": ["{}\\r\\n"],
                 "events": [{"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 2}}, "not an event"]}""");
        assertFalse(rec.has("t") || rec.has("wire"));
        assertEquals("<TIMESTAMP>", rec.at("/events/0/timestamp").asText());
        ObjectNode last = normalized("{\"final-events\": [{\"event\": \"STOP\", \"timestamp\": 5}]}");
        assertEquals("<TIMESTAMP>", last.at("/final-events/0/timestamp").asText());
    }

    @Test
    void normalizingTwiceChangesNothing() throws IOException {
        ConformanceSuite suite = ConformanceSuite.load();
        for (String name : List.of("netdev_add-stream-server-client-inet", "qmp-query-commands", "qmp-malformed-json")) {
            List<ObjectNode> once = suite.qemuTranscript(name);
            List<ObjectNode> twice = Normalizer.normalize(once);
            for (int i = 0; i < once.size(); i++) {
                assertTrue(JsonTrees.equal(once.get(i), twice.get(i)), name + " record " + (i + 1));
            }
        }
    }
}
