package io.vnetd.qmp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer against QEMU 7.2's exact bytes. */
class QmpJsonWriterTest {

    static String resource(String name) throws IOException {
        try (InputStream in = QmpJsonWriterTest.class.getResourceAsStream("/conformance/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Parses one JSON text with vnetd's parser. */
    static JsonNode parse(String text) {
        List<JsonNode> values = new ArrayList<>();
        JsonMessageParser parser = new JsonMessageParser(JsonLimits.QEMU, new JsonMessageParser.Listener() {
            @Override
            public void onValue(JsonNode value) {
                values.add(value);
            }

            @Override
            public void onError(String description) {
                throw new AssertionError(description);
            }
        });
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            parser.feed(b);
        }
        assertEquals(1, values.size());
        return values.getFirst();
    }

    /** Built in QEMU's insertion order: re-parsing the wire would swap members sharing a bucket. */
    @Test
    void greetingIsByteForByteQemus() throws IOException {
        ObjectNode triple = JsonNodeFactory.instance.objectNode().put("major", 7).put("minor", 2).put("micro", 22);
        ObjectNode version = JsonNodeFactory.instance.objectNode();
        version.set("qemu", triple);
        version.put("package", "Debian 1:7.2+dfsg-7+deb12u18+b3");
        ObjectNode qmp = JsonNodeFactory.instance.objectNode();
        qmp.set("version", version);
        qmp.putArray("capabilities").add("oob");
        ObjectNode greeting = JsonNodeFactory.instance.objectNode();
        greeting.set("QMP", qmp);
        assertEquals(resource("qemu-7.2/greeting.wire.txt"), new String(QmpJsonWriter.line(greeting), StandardCharsets.US_ASCII));
    }

    /** QEMU parses into a QDict too, so an echoed id flips members that share a bucket as well. */
    @Test
    void reparsedMembersSharingABucketSwap() {
        assertEquals("{\"minor\": 2, \"micro\": 22}", QmpJsonWriter.toJson(parse("{\"micro\": 22, \"minor\": 2}")));
    }

    /**
     * QEMU's 207 kB query-qmp-schema answer, read and written again: every dict comes out in QEMU's
     * member order, with QEMU's separators, and the line ends in CR LF.
     */
    @Test
    void qemusSchemaAnswerRoundTrips() throws IOException {
        String wire = resource("qemu-7.2/query-qmp-schema.wire.txt");
        assertEquals(wire, new String(QmpJsonWriter.line(parse(wire)), StandardCharsets.US_ASCII));
    }

    @Test
    void responsesOfTheTranscripts() {
        for (String line : List.of(
                "{\"return\": {\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"id\": \"normal\"}",
                "{\"id\": \"oob1\", \"error\": {\"class\": \"GenericError\", \"desc\": \"The command query-version does not support OOB\"}}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\\"\\uFFFD'\"}}",
                "{\"timestamp\": {\"seconds\": 1795619376, \"microseconds\": 459866}, \"event\": \"NETDEV_STREAM_CONNECTED\", "
                        + "\"data\": {\"netdev-id\": \"ss0\", \"addr\": {\"port\": \"53132\", \"ipv4\": true, \"host\": \"127.0.0.1\", \"type\": \"inet\"}}}")) {
            assertEquals(line, QmpJsonWriter.toJson(parse(line)));
        }
    }

    @Test
    void idsAreEchoedAsQemuReserializesThem() {
        assertEquals("[1000, 1.5, 0, -0, null, [], {}, \"\\u00E9\\/\"]".replace("\\/", "/"),
                QmpJsonWriter.toJson(parse("[1e3, 1.50, -0, -0.0, null, [], {}, \"\\u00e9\\/\"]")));
    }

    @Test
    void doublesAsPrintf17g() {
        assertEquals("0.0001", CDoubleFormat.format(1e-4));
        assertEquals("1.0000000000000001e-05", CDoubleFormat.format(1e-5));
        assertEquals("12345678901234568", CDoubleFormat.format(12345678901234567.0));
        assertEquals("1.2345678901234568e+17", CDoubleFormat.format(123456789012345678.0));
        assertEquals("-2.5", CDoubleFormat.format(-2.5));
        assertEquals("3.1415926535897931", CDoubleFormat.format(Math.PI));
        assertEquals("1.7976931348623157e+308", CDoubleFormat.format(Double.MAX_VALUE));
        assertEquals("4.9406564584124654e-324", CDoubleFormat.format(Double.MIN_VALUE));
        assertEquals("100", CDoubleFormat.format(100.0));
    }
}
