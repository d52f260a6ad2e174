package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's step semantics, against a scripted QMP server on a UNIX socket. */
class QmpCaseRunnerTest {

    private static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 9},"
            + " \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}";
    private static final String CLOSE = "<close>";

    @TempDir
    Path dir;

    /**
     * A server for one connection: sends the greeting, then for each line it receives sends what
     * {@code script} returns for it ({@link #CLOSE} closes the connection). Remembers what it received.
     */
    private static final class ScriptedServer implements AutoCloseable {
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        private final ServerSocketChannel server;
        private final Thread thread;

        ScriptedServer(Path socket, Function<String, List<String>> script) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = Thread.ofPlatform().daemon().start(() -> serve(script));
        }

        private void serve(Function<String, List<String>> script) {
            try (SocketChannel client = server.accept()) {
                write(client, GREETING + "\r\n");
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                ByteBuffer in = ByteBuffer.allocate(4096);
                while (client.read(in.clear()) > 0) {
                    in.flip();
                    while (in.hasRemaining()) {
                        byte b = in.get();
                        if (b != '\n') {
                            line.write(b);
                            continue;
                        }
                        String text = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        received.add(text);
                        for (String reply : script.apply(text)) {
                            if (reply.equals(CLOSE)) {
                                return;
                            }
                            write(client, reply + "\r\n");
                        }
                    }
                }
            } catch (IOException e) {
                // the test closed the server
            }
        }

        private static void write(SocketChannel client, String text) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
            while (out.hasRemaining()) {
                client.write(out);
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private ConformanceCase testCase(String... lines) throws IOException {
        Path file = dir.resolve("case.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return ConformanceCase.load(file);
    }

    private List<String> lines(List<ObjectNode> records) {
        return records.stream().map(PythonJson::transcriptLine).toList();
    }

    @Test
    void stepsAreRecordedAsQmpRunDoes() throws Exception {
        ConformanceCase c = testCase(
                "{\"runner\": {\"drain\": 0.3}}",
                "# a comment line the loader skips",
                "{\"execute\":\"a\",\"arguments\":{\"z\":1,\"é\":true},\"id\":1}",
                "{\"wait-event\":\"E1\",\"timeout\":2}",
                "{\"comment\":\"kept in the transcript\"}",
                "{\"execute\":\"b\"}",
                "{\"sleep\":0.3}",
                "{\"wait-event\":\"E2\",\"timeout\":0.2}",
                "{\"raw\":\"two\\n\",\"settle\":0.2}",
                "{\"send\":[1,{\"b\":2,\"a\":1}],\"settle\":0.2}",
                "{\"raw-hex\":\"7b 22 62 61 64 22 ff 7d 0a\",\"settle\":0.2}",
                "{\"execute\":\"last\"}");
        List<ObjectNode> records;
        ScriptedServer server;
        try (ScriptedServer s = new ScriptedServer(dir.resolve("qmp.sock"), line -> switch (line) {
            case "{\"execute\":\"qmp_capabilities\"}" -> List.of("{\"return\": {}}");
            case "{\"execute\":\"a\",\"arguments\":{\"z\":1,\"\\u00e9\":true},\"id\":1}" -> List.of(
                    "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"E1\"}", "{\"return\": {}, \"id\": 1}");
            case "{\"execute\":\"b\"}" -> List.of("{\"return\": 2}", "{\"event\": \"E2\", \"timestamp\": 3}");
            case "two" -> List.of("{\"return\": \"one\"}", "{\"return\": \"two\"}");
            case "[1,{\"b\":2,\"a\":1}]" -> List.of("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}");
            case "{\"execute\":\"last\"}" -> List.of("{\"return\": {}}", "{\"event\": \"E3\"}");
            default -> List.of("not json \u00ff");
        })) {
            server = s;
            records = QmpCaseRunner.run(dir.resolve("qmp.sock"), c);
        }
        assertEquals(List.of(
                "{\"greeting\": " + PythonJson.transcriptLine(PythonJson.parse(GREETING)) + "}",
                "{\"auto\": true, \"events\": [], \"request\": {\"execute\": \"qmp_capabilities\"}, \"response\": {\"return\": {}}, \"step\": 0}",
                "{\"events\": [{\"event\": \"E1\", \"timestamp\": \"<TIMESTAMP>\"}], \"request\": {\"arguments\": {\"z\": 1, \"é\": true},"
                        + " \"execute\": \"a\", \"id\": 1}, \"response\": {\"id\": 1, \"return\": {}}, \"step\": 1}",
                "{\"event\": {\"event\": \"E1\", \"timestamp\": \"<TIMESTAMP>\"}, \"events\": [], \"step\": 2, \"timed_out\": false,"
                        + " \"timeout\": 2.0, \"wait-event\": \"E1\"}",
                "{\"comment\": \"kept in the transcript\"}",
                "{\"events\": [], \"request\": {\"execute\": \"b\"}, \"response\": {\"return\": 2}, \"step\": 3}",
                "{\"events\": [{\"event\": \"E2\", \"timestamp\": \"<TIMESTAMP>\"}], \"sleep\": 0.3, \"step\": 4}",
                "{\"event\": null, \"events\": [], \"step\": 5, \"timed_out\": true, \"timeout\": 0.2, \"wait-event\": \"E2\"}",
                "{\"events\": [], \"raw\": \"two\\n\", \"responses\": [{\"return\": \"one\"}, {\"return\": \"two\"}], \"step\": 6}",
                "{\"events\": [], \"responses\": [{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}],"
                        + " \"send\": [1, {\"a\": 1, \"b\": 2}], \"step\": 7}",
                "{\"events\": [], \"raw-hex\": \"7b 22 62 61 64 22 ff 7d 0a\", \"responses\": [{\"<unparsable-server-line>\": \"not json \\\\xff\"}],"
                        + " \"step\": 8}",
                "{\"events\": [], \"request\": {\"execute\": \"last\"}, \"response\": {\"return\": {}}, \"step\": 9}",
                "{\"final-events\": [{\"event\": \"E3\"}]}"), lines(records));
        assertEquals("{\"bad\"\ufffd}", server.received.get(5), "raw-hex bytes are sent as given");
    }

    @Test
    void aClosedConnectionEndsTheTranscript() throws Exception {
        ConformanceCase c = testCase("{\"execute\":\"crash\",\"id\":\"x\"}", "{\"execute\":\"never-sent\"}");
        List<ObjectNode> records;
        ScriptedServer server;
        try (ScriptedServer s = new ScriptedServer(dir.resolve("qmp.sock"),
                line -> line.contains("crash") ? List.of(CLOSE) : List.of("{\"return\": {}}"))) {
            server = s;
            records = QmpCaseRunner.run(dir.resolve("qmp.sock"), c);
        }
        assertEquals(List.of(
                "{\"closed\": \"EOF\", \"events\": [], \"request\": {\"execute\": \"crash\", \"id\": \"x\"}, \"response\": null, \"step\": 1}",
                "{\"closed\": true}"), lines(records).subList(2, 4));
        assertFalse(server.received.stream().anyMatch(l -> l.contains("never-sent")));
    }

    @Test
    void withoutNegotiationAndWithASilentServerTheCommandTimesOut() throws Exception {
        ConformanceCase c = testCase("{\"runner\":{\"negotiate\":false,\"timeout\":0.3,\"drain\":0}}", "{\"execute\":\"q\"}");
        List<ObjectNode> records;
        try (ScriptedServer s = new ScriptedServer(dir.resolve("qmp.sock"), line -> List.of())) {
            records = QmpCaseRunner.run(dir.resolve("qmp.sock"), c);
        }
        assertEquals(List.of(
                "{\"events\": [], \"request\": {\"execute\": \"q\"}, \"response\": null, \"step\": 1, \"timed_out\": true}"),
                lines(records).subList(1, records.size()));
    }
}
