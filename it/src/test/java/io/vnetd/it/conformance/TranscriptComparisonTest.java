package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected transcripts built from QEMU's plus overrides, and the mismatch reports. */
class TranscriptComparisonTest {

    @TempDir
    Path dir;

    private Expectations.CaseExpectation expectation(String json) throws IOException {
        Path file = dir.resolve("expectations.json");
        Files.writeString(file, "{\"cases\": {\"c\": " + json + "}}");
        return Expectations.load(file).of("c").orElseThrow();
    }

    private ConformanceCase testCase() throws IOException {
        Path file = dir.resolve("c.jsonl");
        Files.writeString(file, """
                {"execute":"netdev_add","arguments":{"type":"tap","id":"t0","queues":0},"id":"crash"}
                {"execute":"query-version","id":"alive?"}
                {"sleep":1}
                """);
        return ConformanceCase.load(file);
    }

    private static List<ObjectNode> records(String... lines) throws IOException {
        List<ObjectNode> records = new ArrayList<>();
        for (String line : lines) {
            records.add((ObjectNode) PythonJson.parse(line));
        }
        return records;
    }

    private static final String GREETING = "{\"greeting\": {\"QMP\": {\"capabilities\": [\"oob\"], \"version\": {}}}}";
    private static final String CRASHED = "{\"closed\": \"[Errno 104] Connection reset by peer\", \"events\": [],"
            + " \"request\": {\"arguments\": {\"id\": \"t0\", \"queues\": 0, \"type\": \"tap\"}, \"execute\": \"netdev_add\", \"id\": \"crash\"},"
            + " \"response\": null, \"step\": 1}";

    @Test
    void overridesReplaceAddAndRemoveRecords() throws IOException {
        Expectations.CaseExpectation e = expectation("""
                {"status": "differs", "steps": {
                  "1": {"reason": "clean error", "response": {"id": "crash", "error": {"class": "GenericError", "desc": "no"}}},
                  "2": {"reason": "still alive", "response": {"id": "alive?", "return": {"package": "vnetd 1", "qemu": {"major": 9, "minor": 1, "micro": 0}}}},
                  "closed": {"reason": "not dropped", "absent": true}}}""");
        List<ObjectNode> expected = TranscriptComparison.expected(testCase(), e, records(GREETING, CRASHED, "{\"closed\": true}"));
        assertEquals(List.of(
                GREETING,
                "{\"events\": [], \"request\": {\"arguments\": {\"id\": \"t0\", \"queues\": 0, \"type\": \"tap\"}, \"execute\": \"netdev_add\","
                        + " \"id\": \"crash\"}, \"response\": {\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}, \"id\": \"crash\"}, \"step\": 1}",
                "{\"events\": [], \"request\": {\"execute\": \"query-version\", \"id\": \"alive?\"}, \"response\": {\"id\": \"alive?\","
                        + " \"return\": {\"package\": \"<PACKAGE>\", \"qemu\": {\"major\": \"<N>\", \"micro\": \"<N>\", \"minor\": \"<N>\"}}}, \"step\": 2}"),
                expected.stream().map(PythonJson::transcriptLine).toList());
    }

    @Test
    void aPatchChangesPartOfARecord() throws IOException {
        Expectations.CaseExpectation e = expectation("""
                {"status": "differs", "steps": {"1": {"reason": "r", "patch": [
                  {"op": "copy", "from": "/response/return/0", "path": "/response/return/-"},
                  {"op": "replace", "path": "/response/return/1/name", "value": "b"},
                  {"op": "remove", "path": "/closed"}]}}}""");
        List<ObjectNode> expected = TranscriptComparison.expected(testCase(), e, records(
                "{\"step\": 1, \"closed\": \"x\", \"response\": {\"return\": [{\"name\": \"a\", \"vlan-table\": [3, 2, 1]}]}}"));
        assertEquals("{\"response\": {\"return\": [{\"name\": \"a\", \"vlan-table\": [3, 2, 1]}, {\"name\": \"b\", \"vlan-table\": [3, 2, 1]}]},"
                + " \"step\": 1}", PythonJson.transcriptLine(expected.getFirst()));
    }

    @Test
    void mismatchesNameTheStepTheRequestAndBothValues() throws IOException {
        Expectations.CaseExpectation e = expectation("{\"status\": \"match\"}");
        List<TranscriptComparison.Mismatch> mismatches = TranscriptComparison.compare(e,
                records(GREETING, "{\"step\": 1, \"request\": {\"execute\": \"x\"}, \"response\": {\"return\": 1.0}, \"events\": []}"),
                records(GREETING, "{\"step\": 1, \"request\": {\"execute\": \"x\"}, \"response\": {\"return\": 1}, \"events\": []}",
                        "{\"final-events\": [{\"event\": \"E\"}]}"));
        String report = TranscriptComparison.report(mismatches);
        assertEquals(2, mismatches.size(), report);
        assertTrue(report.startsWith("step 1 (request {\"execute\": \"x\"})\n    .response.return: expected 1.0, actual 1\n"), report);
        assertTrue(report.contains("final-events\n    vnetd sent a record QEMU did not: {\"final-events\": [{\"event\": \"E\"}]}"), report);
    }

    @Test
    void keyOrderDoesNotMatterAndEventWindowsTolerateALateEvent() throws IOException {
        Expectations.CaseExpectation e = expectation("""
                {"status": "differs", "event-windows": [{"steps": [1, 2], "reason": "either side of the answer"}]}""");
        List<ObjectNode> expected = records(
                "{\"step\": 1, \"request\": {\"a\": 1, \"b\": 2}, \"events\": [{\"event\": \"E\"}]}",
                "{\"step\": 2, \"sleep\": 1.0, \"events\": []}");
        List<ObjectNode> late = records(
                "{\"events\": [], \"request\": {\"b\": 2, \"a\": 1}, \"step\": 1}",
                "{\"step\": 2, \"sleep\": 1.0, \"events\": [{\"event\": \"E\"}]}");
        assertEquals(List.of(), TranscriptComparison.compare(e, expected, late));
        List<ObjectNode> never = records(
                "{\"events\": [], \"request\": {\"b\": 2, \"a\": 1}, \"step\": 1}",
                "{\"step\": 2, \"sleep\": 1.0, \"events\": []}");
        String report = TranscriptComparison.report(TranscriptComparison.compare(e, expected, never));
        assertTrue(report.startsWith("events of steps [1, 2]\n    vnetd is expected to differ from QEMU here: either side of the answer"), report);
    }

    @Test
    void unorderedEventWindowsCountAnEventOnceWhetherReportedOrCaught() throws IOException {
        Expectations.CaseExpectation e = expectation("""
                {"status": "differs", "event-windows": [{"steps": [1, 2, 3], "reason": "two clients", "unordered": true}]}""");
        List<ObjectNode> expected = records(
                "{\"step\": 1, \"request\": {\"a\": 1}, \"events\": []}",
                "{\"step\": 2, \"wait-event\": \"E\", \"event\": {\"event\": \"E\", \"data\": {\"id\": \"server\"}}, \"events\": []}",
                "{\"step\": 3, \"wait-event\": \"E\", \"event\": {\"event\": \"E\", \"data\": {\"id\": \"client\"}}, \"events\": []}");
        List<ObjectNode> swapped = records(
                "{\"step\": 1, \"request\": {\"a\": 1}, \"events\": [{\"event\": \"E\", \"data\": {\"id\": \"client\"}}]}",
                "{\"step\": 2, \"wait-event\": \"E\", \"event\": {\"event\": \"E\", \"data\": {\"id\": \"server\"}}, \"events\": []}",
                "{\"step\": 3, \"wait-event\": \"E\", \"event\": {\"event\": \"E\", \"data\": {\"id\": \"client\"}}, \"events\": []}");
        assertEquals(List.of(), TranscriptComparison.compare(e, expected, swapped));
        List<ObjectNode> oneMissing = records(
                "{\"step\": 1, \"request\": {\"a\": 1}, \"events\": []}",
                "{\"step\": 2, \"wait-event\": \"E\", \"event\": {\"event\": \"E\", \"data\": {\"id\": \"server\"}}, \"events\": []}",
                "{\"step\": 3, \"wait-event\": \"E\", \"event\": null, \"events\": []}");
        String report = TranscriptComparison.report(TranscriptComparison.compare(e, expected, oneMissing));
        assertTrue(report.startsWith("events of steps [1, 2, 3]"), report);
    }
}
