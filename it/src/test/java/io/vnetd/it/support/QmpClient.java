package io.vnetd.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/** A minimal QMP client over a UNIX socket, as a user's script would be: one JSON message per line. */
public final class QmpClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Deque<JsonNode> events = new ArrayDeque<>();
    private final JsonNode greeting;
    private int nextId;

    private QmpClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.in.flip();
        this.greeting = read();
    }

    /** Connects and negotiates capabilities. */
    public static QmpClient connect(Path socket) throws IOException {
        QmpClient client = connectRaw(socket);
        JsonNode reply = client.execute("qmp_capabilities", (JsonNode) null);
        if (!reply.has("return")) {
            throw new IOException("capabilities negotiation failed: " + reply);
        }
        return client;
    }

    /** Connects without negotiating. */
    public static QmpClient connectRaw(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new QmpClient(channel);
    }

    public JsonNode greeting() {
        return greeting;
    }

    /** Sends a command and returns its response (the whole message, {@code return} or {@code error}). */
    public JsonNode execute(String command, JsonNode arguments) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        request.put("id", "it-" + nextId++);
        send(request.toString() + "\n");
        while (true) {
            JsonNode message = read();
            if (message.has("event")) {
                events.add(message);
            } else {
                return message;
            }
        }
    }

    /** Sends a command given as JSON text for its arguments, e.g. {@code {"id":"h0","type":"hubport","hubid":0}}. */
    public JsonNode execute(String command, String argumentsJson) throws IOException {
        return execute(command, JSON.readTree(argumentsJson));
    }

    /** Executes a command that must succeed and returns its {@code return} value. */
    public JsonNode ok(String command, String argumentsJson) throws IOException {
        JsonNode reply = argumentsJson == null ? execute(command, (JsonNode) null) : execute(command, argumentsJson);
        if (!reply.has("return")) {
            throw new AssertionError(command + " " + argumentsJson + " failed: " + reply);
        }
        return reply.get("return");
    }

    public String hmp(String commandLine) throws IOException {
        return ok("human-monitor-command", JSON.createObjectNode().put("command-line", commandLine).toString()).asText();
    }

    public Deque<JsonNode> events() {
        return events;
    }

    public void send(String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** Reads the next message; fails if the server closes the connection. */
    public JsonNode read() throws IOException {
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    return JSON.readTree(text);
                }
                line.write(b);
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("QMP connection closed by the server");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
