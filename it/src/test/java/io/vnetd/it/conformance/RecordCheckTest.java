package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The checks by meaning for query-commands and query-qmp-schema, against QEMU 7.2's own answers. */
class RecordCheckTest {

    private static ObjectNode qemuCommands;
    private static ObjectNode qemuSchema;

    @BeforeAll
    static void load() throws IOException {
        ConformanceSuite suite = ConformanceSuite.load();
        qemuCommands = Transcript.byKey(suite.qemuTranscript("qmp-query-commands")).get("step 1");
        qemuSchema = Transcript.byKey(suite.qemuTranscript("qmp-query-qmp-schema")).get("step 1");
    }

    private static RecordCheck check(String json) throws IOException {
        return RecordCheck.of(PythonJson.parse(json));
    }

    /** QEMU's record with its returned list replaced. */
    private static ObjectNode withReturn(ObjectNode record, JsonNode list) {
        ObjectNode copy = record.deepCopy();
        ((ObjectNode) copy.get("response")).set("return", list);
        return copy;
    }

    /** The schema entities reachable from the named commands and events: a schema that serves only those. */
    private static ArrayNode subsetOfQemuSchema(Set<String> served) {
        ArrayNode subset = qemuSchema.at("/response/return").deepCopy();
        for (int i = subset.size() - 1; i >= 0; i--) {
            JsonNode e = subset.get(i);
            String meta = e.path("meta-type").asText();
            if ((meta.equals("command") || meta.equals("event")) && !served.contains(e.path("name").asText())) {
                subset.remove(i);
            }
        }
        return subset;
    }

    @Test
    void aCommandListThatIsASubsetWithAListedExtensionPasses() throws IOException {
        RecordCheck c = check("""
                {"kind": "command-list", "required": ["netdev_add", "netdev_del"],
                 "extensions": [{"pattern": "^__io\\\\.vnetd_", "reason": "vendor"}]}""");
        ArrayNode list = (ArrayNode) PythonJson.parse("[{\"name\": \"__io.vnetd_x\"}, {\"name\": \"netdev_del\"}, {\"name\": \"netdev_add\"}]");
        assertEquals(List.of(), c.problems(qemuCommands, withReturn(qemuCommands, list)));
    }

    @Test
    void aCommandListReportsWhatIsMissingUnknownDuplicatedOrStale() throws IOException {
        RecordCheck c = check("""
                {"kind": "command-list", "required": ["netdev_add", "set_link"],
                 "extensions": [{"pattern": "^__io\\\\.vnetd_", "reason": "vendor"}]}""");
        ArrayNode list = (ArrayNode) PythonJson.parse("[{\"name\": \"netdev_add\"}, {\"name\": \"netdev_add\"}, {\"name\": \"frobnicate\"}]");
        assertEquals(List.of(
                "listed twice: netdev_add",
                "missing command: set_link",
                "a command QEMU 7.2 does not have, not listed as a deliberate difference: frobnicate",
                "listed difference no longer occurs (drop it from expectations.json): ^__io\\.vnetd_ (vendor)"),
                c.problems(qemuCommands, withReturn(qemuCommands, list)));
    }

    @Test
    void qemusOwnSchemaPassesAgainstItself() throws IOException {
        RecordCheck c = check("""
                {"kind": "schema", "required-commands": ["netdev_add", "query-rx-filter"], "required-events": ["NETDEV_STREAM_CONNECTED"],
                 "differences": []}""");
        assertEquals(List.of(), c.problems(qemuSchema, qemuSchema));
    }

    @Test
    void aNewerNetdevMemberIsFoundAndCanBeListed() throws IOException {
        ArrayNode vnetd = subsetOfQemuSchema(Set.of("netdev_add", "query-rx-filter", "NETDEV_STREAM_CONNECTED"));
        String streamOptions = qemuSchema.at("/response/return").findValues("variants").stream()
                .flatMap(v -> StreamSupport.stream(v.spliterator(), false))
                .filter(v -> v.path("case").asText().equals("stream")).findFirst().orElseThrow().path("type").asText();
        for (JsonNode e : vnetd) {
            if (e.path("name").asText().equals(streamOptions)) {
                ((ArrayNode) e.get("members")).addObject().put("name", "reconnect").put("type", "int").putNull("default");
            }
        }
        ObjectNode actual = withReturn(qemuSchema, vnetd);
        String listed = """
                {"kind": "schema", "required-commands": ["netdev_add"], "required-events": ["NETDEV_STREAM_CONNECTED"],
                 "differences": [%s]}""";
        assertEquals(List.of("a difference from QEMU 7.2 (+ vnetd only, - QEMU only) not listed as a deliberate difference:"
                        + " +command netdev_add arg[type=stream].reconnect?: int"),
                check(listed.formatted("")).problems(qemuSchema, actual));
        assertEquals(List.of(), check(listed.formatted("""
                {"pattern": "^\\\\+command netdev_add arg\\\\[type=stream\\\\]\\\\.reconnect\\\\?: int$", "reason": "spec"},
                {"pattern": "af-xdp", "reason": "only some hosts", "host-dependent": true}""")).problems(qemuSchema, actual));
        List<String> missing = check("""
                {"kind": "schema", "required-commands": ["set_link"], "required-events": [], "differences": [{"pattern": ".", "reason": "any"}]}""")
                .problems(qemuSchema, actual);
        assertEquals(List.of("missing command: set_link"), missing);
    }

    @Test
    void schemaFactsDescribeMembersVariantsAndEnums() {
        SchemaFacts facts = new SchemaFacts(qemuSchema.at("/response/return"));
        Set<String> netdevAdd = facts.facts("netdev_add");
        for (String fact : List.of("command netdev_add", "command netdev_add arg.id: string", "command netdev_add arg.type = hubport",
                "command netdev_add arg[type=hubport].hubid: int", "command netdev_add arg[type=hubport].netdev?: string",
                "command netdev_add arg[type=stream].addr[type=inet].port: string", "command netdev_add arg[type=user].hostfwd[].str: string",
                "command netdev_add arg[type=vhost-vdpa].x-svq feature unstable")) {
            assertTrue(netdevAdd.contains(fact), fact);
        }
        assertTrue(facts.facts("query-rx-filter").contains("command query-rx-filter ret[].vlan-table[]: int"));
        assertTrue(facts.facts("NETDEV_STREAM_DISCONNECTED").contains("event NETDEV_STREAM_DISCONNECTED data.netdev-id: string"));
    }
}
