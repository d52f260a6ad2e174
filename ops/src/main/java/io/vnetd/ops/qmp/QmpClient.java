package io.vnetd.ops.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A QMP client for the command-line tools: reads the greeting, negotiates capabilities, sends commands with ids
 * and matches their answers, and queues the events that arrive in between. One reader thread per connection
 * parses what the server sends; a broken connection fails every command waiting for an answer.
 */
public final class QmpClient implements AutoCloseable {

    /** Events kept for a reader that falls behind; the oldest go first. */
    static final int EVENT_QUEUE_CAPACITY = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final QmpEndpoint endpoint;
    private final SocketChannel channel;
    private final Duration answerTimeout;
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>(EVENT_QUEUE_CAPACITY);
    /** Commands waiting for their answer, by the JSON text of their id, oldest first. */
    private final Map<String, CompletableFuture<JsonNode>> pending = new LinkedHashMap<>();
    private long nextId;

    private QmpClient(QmpEndpoint endpoint, SocketChannel channel, Duration answerTimeout) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.answerTimeout = answerTimeout;
    }

    /**
     * Connects, reads the greeting and negotiates capabilities; each step, and later each answer, may take up to
     * {@code answerTimeout}.
     */
    public static QmpClient connect(QmpEndpoint endpoint, Duration answerTimeout) throws QmpException {
        SocketChannel channel;
        try {
            channel = endpoint.address() instanceof UnixDomainSocketAddress
                    ? SocketChannel.open(StandardProtocolFamily.UNIX)
                    : SocketChannel.open();
            channel.connect(endpoint.address());
        } catch (IOException e) {
            throw new QmpException("cannot connect to QMP at " + endpoint + ": " + reason(e), e);
        }
        QmpClient client = new QmpClient(endpoint, channel, answerTimeout);
        Thread.ofPlatform().daemon().name("qmp-reader " + endpoint).start(client::readUntilClosed);
        try {
            client.await(client.greeting, "the QMP greeting");
            JsonNode answer = client.execute("qmp_capabilities", null);
            if (!answer.has("return")) {
                throw new QmpException("QMP capabilities negotiation failed: " + errorText(answer));
            }
            return client;
        } catch (QmpException e) {
            client.close();
            throw e;
        }
    }

    public QmpEndpoint endpoint() {
        return endpoint;
    }

    /** The server's greeting, {@code {"QMP": {"version": ..., "capabilities": [...]}}}. */
    public JsonNode greeting() {
        return greeting.getNow(null);
    }

    /** Runs {@code command} with {@code arguments} (none when null) and returns its answer, without the id. */
    public JsonNode execute(String command, JsonNode arguments) throws QmpException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        return send(request);
    }

    /** Runs {@code command}; its {@code return} value, or a {@link QmpException} with the server's error. */
    public JsonNode query(String command) throws QmpException {
        JsonNode answer = execute(command, null);
        if (!answer.has("return")) {
            throw new QmpException(command + " failed: " + errorText(answer));
        }
        return answer.get("return");
    }

    /**
     * Sends {@code request} as it is, with an id of the client's own when it has none, and returns the answer
     * (that id taken out again: the answer reads as the server's to the request as it was given).
     */
    public JsonNode send(ObjectNode request) throws QmpException {
        boolean ownId = !request.has("id");
        ObjectNode sent = request.deepCopy();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        String key;
        synchronized (pending) {
            if (ownId) {
                sent.put("id", "vnetd-ops-" + nextId++);
            }
            key = sent.get("id").toString();
            if (closed.isDone()) {
                throw new QmpException(closed.getNow(""));
            }
            pending.put(key, answer);
        }
        try {
            write(sent.toString() + "\n");
            JsonNode message = await(answer, "an answer to " + request.path("execute").asText("the request"));
            if (ownId && message instanceof ObjectNode object) {
                ObjectNode shown = object.deepCopy();
                shown.remove("id");
                return shown;
            }
            return message;
        } finally {
            synchronized (pending) {
                pending.remove(key);
            }
        }
    }

    /** The events received so far and not yet taken, oldest first. */
    public BlockingQueue<JsonNode> events() {
        return events;
    }

    /** Completes with the reason when the connection ends (the server closed it, it broke, or {@link #close}). */
    public CompletableFuture<String> closed() {
        return closed;
    }

    /** {@code "Class: description"} of an error answer. */
    public static String errorText(JsonNode answer) {
        JsonNode error = answer.path("error");
        return error.path("class").asText("?") + ": " + error.path("desc").asText(answer.toString());
    }

    @Override
    public void close() {
        ended("the QMP connection was closed");
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing more to do with a connection that is going away.
        }
    }

    private synchronized void write(String text) throws QmpException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } catch (IOException e) {
            ended("the QMP connection broke: " + reason(e));
            throw new QmpException(closed.getNow("the QMP connection broke"), e);
        }
    }

    private JsonNode await(CompletableFuture<JsonNode> future, String what) throws QmpException {
        try {
            return future.get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new QmpException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new QmpException("no " + what + " from " + endpoint + " within " + answerTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for " + what);
        }
    }

    private void readUntilClosed() {
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (channel.read(in) >= 0) {
                in.flip();
                while (in.hasRemaining()) {
                    byte b = in.get();
                    if (b == '\n') {
                        received(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
                in.clear();
            }
            ended("the QMP connection was closed by the server");
        } catch (IOException e) {
            ended(channel.isOpen() ? "the QMP connection broke: " + reason(e) : "the QMP connection was closed");
        }
    }

    private void received(String text) throws QmpException {
        if (text.isBlank()) {
            return;
        }
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new QmpException("the server sent what is not JSON: " + text, e);
        }
        if (!greeting.isDone()) {
            if (!message.has("QMP")) {
                throw new QmpException("the server's first message is not a QMP greeting: " + text);
            }
            greeting.complete(message);
        } else if (message.has("event")) {
            while (!events.offer(message)) {
                events.poll();
            }
        } else {
            answered(message);
        }
    }

    /** An answer goes to the command with its id; one without a known id (a request the server could not read) to the oldest. */
    private void answered(JsonNode message) {
        synchronized (pending) {
            CompletableFuture<JsonNode> waiting = message.has("id") ? pending.get(message.get("id").toString()) : null;
            if (waiting == null) {
                Iterator<CompletableFuture<JsonNode>> oldest = pending.values().iterator();
                waiting = oldest.hasNext() ? oldest.next() : null;
            }
            if (waiting != null) {
                waiting.complete(message);
            }
        }
    }

    private void ended(String reason) {
        synchronized (pending) {
            if (!closed.complete(reason)) {
                return;
            }
            QmpException failure = new QmpException(reason);
            greeting.completeExceptionally(failure);
            pending.values().forEach(waiting -> waiting.completeExceptionally(failure));
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Already ended.
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
