package io.vnetd.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.service.NetEvent;
import io.vnetd.qmp.FakeNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server end to end, over real sockets, with the control plane in memory. */
@Timeout(120)
class QmpServerTest {

    @TempDir
    Path dir;

    private final FakeNetwork network = new FakeNetwork();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
    }

    /** Compares JSON values: member order on the wire is QEMU's hash order, not the text's. */
    private static void assertJson(String expected, JsonNode actual) throws IOException {
        assertEquals(QmpTestClient.JSON.readTree(expected), actual);
    }

    private Path socket() {
        return dir.resolve("qmp.sock");
    }

    private QmpServer start(QmpServer.Context context) {
        QmpServer server = new QmpServer(context.networkService(network)).start();
        closeAfter.add(server);
        return server;
    }

    private QmpServer start() {
        return start(new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())));
    }

    private QmpTestClient client() throws IOException {
        QmpTestClient client = QmpTestClient.negotiated(socket());
        closeAfter.add(client);
        return client;
    }

    @Test
    void greetsWithVnetdsVersion() throws IOException {
        start(new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).vnetdVersion("1.2.3"));
        try (QmpTestClient client = QmpTestClient.connect(socket())) {
            assertEquals("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 9}, \"package\": \"vnetd 1.2.3\"}, "
                    + "\"capabilities\": [\"oob\"]}}\r\n", client.readLine());
        }
    }

    @Test
    void unixSocketIsPrivate() throws IOException {
        start();
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(socket()), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws IOException {
        ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        old.bind(UnixDomainSocketAddress.of(socket()));
        old.close(); // the file stays, nobody listens
        start();
        assertEquals("vnetd", client().command("{'execute': 'query-version'}").get("return").get("package").textValue().split(" ")[0]);
    }

    @Test
    void aLiveSocketIsNotTaken() {
        start();
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new QmpServer(new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).networkService(network)).start());
        assertEquals("cannot listen on QMP endpoint unix:" + socket() + ": in use by another process", e.getMessage());
    }

    @Test
    void aFileThatIsNoSocketIsNotTouched() throws IOException {
        Files.writeString(socket(), "data");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, this::start);
        assertEquals("cannot listen on QMP endpoint unix:" + socket() + ": the path exists and is not a socket", e.getMessage());
        assertEquals("data", Files.readString(socket()));
    }

    @Test
    void closingRemovesTheSocketFile() {
        QmpServer server = start();
        server.close();
        assertFalse(Files.exists(socket()));
    }

    @Test
    void severalEndpointsUnixAndTcp() throws IOException {
        Path second = dir.resolve("second.sock");
        QmpServer server = start(new QmpServer.Context()
                .endpoint(QmpEndpoint.unix(socket()))
                .endpoint(QmpEndpoint.unix(second))
                .endpoint(QmpEndpoint.tcp("127.0.0.1", 0)));
        InetSocketAddress tcp = (InetSocketAddress) server.boundAddresses().get(2);
        assertEquals("127.0.0.1", tcp.getAddress().getHostAddress());
        try (QmpTestClient overTcp = QmpTestClient.connect(tcp); QmpTestClient overUnix = QmpTestClient.negotiated(second)) {
            assertTrue(overTcp.readMessage().has("QMP"));
            assertJson("{\"return\":{}}", overTcp.command("{'execute': 'qmp_capabilities'}"));
            assertJson("{\"return\":[]}", overUnix.command("{'execute': '__io.vnetd_query-net-clients'}"));
        }
    }

    @Test
    void aBusyTcpPortIsReportedWithItsEndpoint() throws IOException {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> start(new QmpServer.Context()
                    .endpoint(QmpEndpoint.unix(socket())).endpoint(QmpEndpoint.tcp("127.0.0.1", port))));
            assertTrue(e.getMessage().startsWith("cannot listen on QMP endpoint tcp:127.0.0.1:" + port + ": "), e.getMessage());
            assertFalse(Files.exists(socket()), "the endpoints bound before are released");
        }
    }

    @Test
    void invalidSettingsAreNamed() {
        assertEquals("QMP server: no endpoint configured",
                assertThrows(IllegalArgumentException.class, () -> new QmpServer.Context().networkService(network).conclude()).getMessage());
        assertEquals("QMP server: no network service",
                assertThrows(IllegalArgumentException.class, () -> new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).conclude()).getMessage());
        assertEquals("QMP server: maxPendingRequests must be positive, not 0",
                assertThrows(IllegalArgumentException.class, () -> new QmpServer.Context().endpoint(QmpEndpoint.unix(socket()))
                        .networkService(network).maxPendingRequests(0).conclude()).getMessage());
        assertEquals(new QmpEndpoint.Tcp("::1", 4444), QmpEndpoint.parse("tcp:[::1]:4444"));
        assertEquals(new QmpEndpoint.Unix(Path.of("/run/vnetd/qmp.sock")), QmpEndpoint.parse("unix:/run/vnetd/qmp.sock"));
        assertThrows(IllegalArgumentException.class, () -> QmpEndpoint.parse("tcp:host"));
    }

    @Test
    void aContextConfiguresOneServer() {
        QmpServer.Context ctx = new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).networkService(network)
                .conclude();
        assertEquals("QMP server: context already concluded: give each server its own",
                assertThrows(IllegalStateException.class, ctx::conclude).getMessage());
    }

    @Test
    void commandsReachTheControlPlane() throws IOException {
        start();
        QmpTestClient client = client();
        assertJson("{\"return\":{}, \"id\":1}",
                client.command("{'execute': 'netdev_add', 'arguments': {'id': 'h0', 'type': 'hubport', 'hubid': 0}, 'id': 1}"));
        assertJson("{\"id\":2, \"error\":{\"class\":\"GenericError\",\"desc\":\"Duplicate ID 'h0'\"}}",
                client.command("{'execute': 'netdev_add', 'arguments': {'id': 'h0', 'type': 'hubport', 'hubid': 1}, 'id': 2}"));
        assertJson("{\"error\":{\"class\":\"GenericError\", \"desc\":\"network backend 'nic' is not compiled into this binary\"}}",
                client.command("{'execute': 'netdev_add', 'arguments': {'id': 'n', 'type': 'nic'}}"));
        assertJson("{\"error\":{\"class\":\"GenericError\", \"desc\":\"Parameter 'id' expects an identifier\"}}",
                client.command("{'execute': 'netdev_add', 'arguments': {'id': '0x', 'type': 'hubport', 'hubid': 0}}"));
        assertJson("{\"return\":{}}", client.command("{'execute': 'set_link', 'arguments': {'name': 'h0', 'up': false}}"));
        assertJson("{\"return\":[{\"name\":\"h0\", \"type\":\"hubport\",\"link-up\":false,\"hub\":0,\"info\":\"\",\"status\":\"ok\",\"node\":\"local\"}]}",
                client.command("{'execute': '__io.vnetd_query-net-clients'}"));
        assertJson("{\"return\":\"hub 0\\r\\n \\\\ h0\\r\\n\"}", client.command("{'execute': 'human-monitor-command', 'arguments': {'command-line': 'info network'}}"));
        assertJson("{\"error\":{\"class\":\"GenericError\", \"desc\":\"Parameter 'cpu-index' expects a CPU number\"}}",
                client.command("{'execute': 'human-monitor-command', 'arguments': {'command-line': 'info network', 'cpu-index': 0}}"));
        assertJson("{\"return\":[]}", client.command("{'execute': 'query-rx-filter'}"));
        assertJson("{\"error\":{\"class\":\"GenericError\", \"desc\":\"net client(h0) isn't a NIC\"}}",
                client.command("{'execute': 'query-rx-filter', 'arguments': {'name': 'h0'}}"));
        assertJson("{\"return\":{}}", client.command("{'execute': 'announce-self', 'arguments': {'initial': 50, 'max': 550, 'rounds': 10, 'step': 50, 'id': 'bob'}}"));
        assertEquals("bob", network.announced().getFirst().id().orElseThrow());
        assertJson("{\"return\":{}}", client.command(
                "{'execute': 'device_add', 'arguments': {'driver': 'e1000', 'netdev': 'h0', 'id': 'n0', 'bootindex': 2, 'failover': true, 'x': [1]}}"));
        assertEquals(new NicRequest("e1000", Optional.of("n0"), Optional.of("h0"), Optional.empty(), Optional.empty(),
                Optional.empty(), true), network.devices().getFirst(), "properties are read as QemuOpts strings");
        assertJson("{\"error\":{\"class\":\"GenericError\", \"desc\":\"Parameter 'driver' is missing\"}}",
                client.command("{'execute': 'device_add', 'arguments': {'netdev': 'h0'}}"));
        assertJson("{\"return\":{}}", client.command("{'execute': 'netdev_del', 'arguments': {'id': 'h0'}}"));
        assertJson("{\"error\":{\"class\":\"DeviceNotFound\", \"desc\":\"Device 'h0' not found\"}}",
                client.command("{'execute': 'netdev_del', 'arguments': {'id': 'h0'}}"));
    }

    @Test
    void introspectionAndCommandListComeFromTheSchema() throws IOException {
        start();
        QmpTestClient client = client();
        JsonNode commands = client.command("{'execute': 'query-commands'}").get("return");
        List<String> names = new ArrayList<>();
        commands.forEach(c -> names.add(c.get("name").textValue()));
        assertEquals(List.of("__io.vnetd_query-cluster", "__io.vnetd_query-net-clients", "human-monitor-command", "device_del", "device_add",
                "query-qmp-schema", "query-commands", "query-version", "qmp_capabilities", "announce-self",
                "query-rx-filter", "netdev_del", "netdev_add", "set_link"), names);
        JsonNode schema = client.command("{'execute': 'query-qmp-schema'}").get("return");
        assertEquals("set_link", schema.get(0).get("name").textValue());
    }

    /** The next command starts only when the one before is answered, and nothing overtakes. */
    @Test
    void oneSessionRunsItsCommandsInOrder() throws IOException {
        start();
        QmpTestClient client = QmpTestClient.negotiated(socket());
        closeAfter.add(client);
        client.command("{'execute': 'qmp_capabilities'}"); // answered: already negotiated
        network.hold();
        client.send("{'execute': 'netdev_add', 'arguments': {'id': 'h0', 'type': 'hubport', 'hubid': 0}, 'id': 'first'}"
                + "{'execute': 'netdev_add', 'arguments': {'id': 'h1', 'type': 'hubport', 'hubid': 0}, 'id': 'second'}"
                + "{'execute': 'query-version', 'id': 'third'}"
                + "{'exec-oob': 'query-version', 'id': 'marker'}\n");
        // An out-of-band request is answered when parsed: once its answer is here, everything
        // before it has been read, and had the others not waited, their answers would be first.
        assertEquals("marker", client.readMessage().get("id").textValue());
        assertEquals(1, network.heldCount(), "'second' has not started while 'first' is in progress");
        network.release();
        assertEquals("first", client.readMessage().get("id").textValue());
        network.release(); // 'second' was held when it started, after 'first' completed
        assertEquals("second", client.readMessage().get("id").textValue());
        assertEquals("third", client.readMessage().get("id").textValue());
    }

    @Test
    void aClientThatStopsSendingStillGetsEveryAnswer() throws IOException {
        start();
        QmpTestClient client = QmpTestClient.negotiated(socket());
        closeAfter.add(client);
        network.hold();
        client.send("{'execute': 'netdev_add', 'arguments': {'id': 'h0', 'type': 'hubport', 'hubid': 0}, 'id': 1}"
                + "{'execute': 'query-version', 'id': 2}\n");
        client.shutdownOutput();
        network.release();
        network.release();
        assertEquals(1, client.readMessage().get("id").intValue());
        assertEquals(2, client.readMessage().get("id").intValue());
        assertThrows(IOException.class, client::readMessage, "then the server closes");
    }

    @Test
    void eventsGoToNegotiatedSessionsOnly() throws IOException {
        start();
        QmpTestClient negotiated = client();
        try (QmpTestClient fresh = QmpTestClient.connect(socket())) {
            fresh.readMessage();
            network.emit(new NetEvent.NetdevStreamDisconnected("s0"));
            JsonNode event = negotiated.readMessage();
            assertEquals("NETDEV_STREAM_DISCONNECTED", event.get("event").textValue());
            assertJson("{\"netdev-id\":\"s0\"}", event.get("data"));
            assertTrue(event.get("timestamp").get("seconds").asLong() > 1_600_000_000L);
            // Two round trips: the event's delivery task ran on the I/O thread before the second.
            fresh.command("{'execute': 'query-version'}");
            fresh.command("{'execute': 'query-version'}");
            assertJson("{\"return\":{}}", fresh.command("{'execute': 'qmp_capabilities'}"));
            assertTrue(fresh.command("{'execute': 'query-version', 'id': 'after'}").has("return"), "no event before this");
        }
    }

    @Test
    void manyClientsAtOnce() throws Exception {
        start(new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).ioThreads(2));
        int clients = 16;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                runs.add(pool.submit(() -> {
                    try (QmpTestClient client = QmpTestClient.negotiated(socket())) {
                        for (int i = 0; i < 50; i++) {
                            String hub = "c" + id + "p" + i;
                            JsonNode response = client.command("{'execute': 'netdev_add', 'arguments': {'id': '" + hub
                                    + "', 'type': 'hubport', 'hubid': " + id + "}, 'id': '" + hub + "'}");
                            assertJson("{\"return\":{}, \"id\":\"" + hub + "\"}", response);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode listed = client().command("{'execute': '__io.vnetd_query-net-clients'}").get("return");
        assertEquals(clients * 50, listed.size());
    }

    /**
     * A client that never reads: its requests are left unread once its output backs up, and when
     * events fill its output queue it is disconnected. A client that reads gets everything.
     */
    @Test
    void aClientThatDoesNotReadIsDisconnected() throws Exception {
        start(new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).maxOutputQueueBytes(64 * 1024));
        QmpTestClient reader = client();
        int events = 20_000;
        try (QmpTestClient greedy = QmpTestClient.negotiated(socket())) {
            greedy.send("{'execute': 'query-qmp-schema'}\n".repeat(1000));
            // In batches the reading client keeps up with: its queue never fills, the other's does.
            for (int batch = 0; batch < events / 100; batch++) {
                for (int i = 0; i < 100; i++) {
                    network.emit(new NetEvent.NetdevStreamDisconnected("s" + i));
                }
                for (int received = 0; received < 100; ) {
                    if (reader.readMessage().has("event")) {
                        received++;
                    }
                }
            }
            long bytes = greedy.drainToEnd();
            assertTrue(bytes < 1000L * 20_000, "disconnected before all answers: " + bytes + " bytes");
        }
        assertTrue(reader.command("{'execute': 'query-version'}").has("return"));
    }

    /** The bound is on output left unread, not on one answer: a reading client gets an answer larger than it. */
    @Test
    void anAnswerLargerThanTheOutputBoundStillReachesAReader() throws Exception {
        start(new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).maxOutputQueueBytes(4096));
        QmpTestClient reader = client();
        JsonNode schema = reader.command("{'execute': 'query-qmp-schema'}");
        assertTrue(schema.toString().length() > 3 * 4096, () -> "answer: " + schema.toString().length() + " bytes");
        assertTrue(reader.command("{'execute': 'query-version'}").has("return"));
    }

    /** Garbage without end costs its sender errors, and nobody else anything. */
    @Test
    void aGarbageFloodDisturbsNoOne() throws Exception {
        start(new QmpServer.Context().endpoint(QmpEndpoint.unix(socket())).maxInputBytes(4096));
        QmpTestClient other = client();
        try (QmpTestClient flooder = QmpTestClient.negotiated(socket())) {
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                Future<List<String>> errors = reader.submit(() -> {
                    List<String> seen = new ArrayList<>();
                    while (true) {
                        JsonNode message = flooder.readMessage();
                        String desc = message.path("error").path("desc").asText();
                        if (!seen.contains(desc)) {
                            seen.add(desc);
                        }
                        if ("done".equals(message.path("id").asText())) {
                            return seen;
                        }
                    }
                });
                byte[] chunk = new byte[64 * 1024];
                for (int round = 0; round < 16; round++) {
                    byte filler = switch (round % 4) {
                        case 0 -> (byte) 'x';       // one endless keyword
                        case 1 -> (byte) '[';       // nesting without end
                        case 2 -> (byte) 0xFF;      // bytes that are never JSON
                        default -> (byte) '"';      // strings, open and closed
                    };
                    Arrays.fill(chunk, filler);
                    flooder.send(chunk);
                    assertTrue(other.command("{'execute': 'query-version'}").has("return"));
                }
                flooder.send("\n]]]]]]]]\"\n{'execute': 'query-version', 'id': 'done'}\n");
                List<String> seen = errors.get();
                assertTrue(seen.contains("JSON token size limit exceeded"), seen.toString());
                assertTrue(seen.contains("JSON nesting depth limit exceeded"), seen.toString());
                assertTrue(seen.contains("JSON parse error, stray '\uFFFD'"), seen.toString());
            } finally {
                reader.shutdownNow();
            }
        }
        assertTrue(other.command("{'execute': 'query-version'}").has("return"));
    }
}
