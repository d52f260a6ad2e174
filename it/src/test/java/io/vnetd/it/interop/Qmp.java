package io.vnetd.it.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A QMP client for QEMU and vnetd alike whose every wait is bounded: one JSON message per line,
 * events kept in arrival order.
 */
public final class Qmp implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<JsonNode> events = new ArrayList<>();
    private int nextId;

    private Qmp(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** Connects to {@code socket} (waiting for it to appear), reads the greeting and negotiates. */
    public static Qmp connect(Path socket) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                try {
                    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    Qmp qmp = new Qmp(channel);
                    JsonNode greeting = qmp.read();
                    if (!greeting.has("QMP")) {
                        throw new IOException("not a QMP greeting: " + greeting);
                    }
                    qmp.ok("qmp_capabilities", null);
                    return qmp;
                } catch (IOException e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("no QMP socket at " + socket + " within " + TIMEOUT);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Sends a command and returns its whole response ({@code return} or {@code error}). */
    public JsonNode execute(String command, JsonNode arguments) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        String id = "interop-" + nextId++;
        request.put("id", id);
        ByteBuffer out = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                LockSupport.parkNanos(100_000);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("could not send " + command + " within " + TIMEOUT);
            }
        }
        while (true) {
            JsonNode message = read();
            if (message.has("event")) {
                events.add(message);
            } else if (message.path("id").asText().equals(id)) {
                return message;
            }
        }
    }

    /** Runs a command that must succeed; returns its {@code return} value. */
    public JsonNode ok(String command, String argumentsJson) throws IOException {
        JsonNode reply = execute(command, argumentsJson == null ? null : JSON.readTree(argumentsJson));
        if (!reply.has("return")) {
            throw new IOException(command + " " + argumentsJson + " failed: " + reply);
        }
        return reply.get("return");
    }

    public String hmp(String commandLine) throws IOException {
        return ok("human-monitor-command", JSON.createObjectNode().put("command-line", commandLine).toString()).asText();
    }

    public void setLink(String name, boolean up) throws IOException {
        ok("set_link", JSON.createObjectNode().put("name", name).put("up", up).toString());
    }

    /** The events received so far. */
    public List<JsonNode> events() throws IOException {
        drainEvents();
        return List.copyOf(events);
    }

    /** Waits at most {@code timeout} for an event named {@code name} with {@code netdev-id} {@code netdev}. */
    public Optional<JsonNode> awaitEvent(String name, String netdev, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            drainEvents();
            for (JsonNode event : events) {
                if (event.path("event").asText().equals(name) && event.path("data").path("netdev-id").asText().equals(netdev)) {
                    events.remove(event);
                    return Optional.of(event);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)))));
            selector.selectedKeys().clear();
        }
    }

    private void drainEvents() throws IOException {
        while (true) {
            Optional<JsonNode> message = readIfAvailable();
            if (message.isEmpty()) {
                return;
            }
            events.add(message.get());
        }
    }

    private JsonNode read() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Optional<JsonNode> message = readIfAvailable();
            if (message.isPresent()) {
                return message.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("no QMP message within " + TIMEOUT);
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            selector.selectedKeys().clear();
        }
    }

    /** The next complete message if one has arrived; never waits. */
    private Optional<JsonNode> readIfAvailable() throws IOException {
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8).strip();
                    line.reset();
                    if (!text.isEmpty()) {
                        return Optional.of(JSON.readTree(text));
                    }
                } else {
                    line.write(b);
                }
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("QMP connection closed");
            }
            if (n == 0) {
                return Optional.empty();
            }
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
