package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code qmp_run.run_case}: replays a case against a QMP server and returns the raw transcript,
 * with the same step semantics and the same record shapes as the Python runner that recorded QEMU.
 * Event timestamps are replaced by the placeholder as they arrive, as qmp_run.py does by default.
 */
final class QmpCaseRunner {

    private static final double GREETING_TIMEOUT_SECONDS = 10.0;
    private static final double DEFAULT_STEP_TIMEOUT_SECONDS = 5.0;
    private static final double DEFAULT_SETTLE_SECONDS = 0.5;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final QmpChannel conn;
    private final double commandTimeout;
    /** Received, not yet reported in a step record. */
    private List<ObjectNode> pendingEvents = new ArrayList<>();
    /** Received, not yet matched by a wait-event (or consumed by a sleep); the same objects as above. */
    private List<ObjectNode> unconsumed = new ArrayList<>();

    private QmpCaseRunner(QmpChannel conn, double commandTimeout) {
        this.conn = conn;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Connects to {@code socket}, runs every step of {@code c} and returns the transcript records.
     *
     * @throws IOException when the connection cannot be made or closes before the greeting
     */
    static List<ObjectNode> run(Path socket, ConformanceCase c) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        try (QmpChannel conn = QmpChannel.connect(socket)) {
            QmpCaseRunner r = new QmpCaseRunner(conn, c.commandTimeoutSeconds());
            out.add(r.greeting());
            if (c.negotiate()) {
                ObjectNode rec = r.command(0, NODES.objectNode().put("execute", "qmp_capabilities"));
                rec.put("auto", true);
                out.add(rec);
            }
            int n = 0;
            for (JsonNode st : c.steps()) {
                if (conn.closed()) {
                    break;
                }
                if (ConformanceCase.isRunner(st)) {
                    continue;
                }
                if (ConformanceCase.isComment(st)) {
                    out.add(NODES.objectNode().set("comment", st.get("comment")));
                    continue;
                }
                n++;
                out.add(r.step(n, st));
            }
            double drain = c.drainSeconds();
            if (!conn.closed() && drain > 0) {
                ObjectNode rec = r.sleep(0, drain);
                JsonNode unexpected = rec.get("unexpected");
                if (!rec.get("events").isEmpty() || unexpected != null) {
                    ObjectNode finalEvents = NODES.objectNode();
                    finalEvents.set("final-events", rec.get("events"));
                    if (unexpected != null) {
                        finalEvents.set("unexpected", unexpected);
                    }
                    out.add(finalEvents);
                }
            }
            if (conn.closed()) {
                out.add(NODES.objectNode().put("closed", true));
            }
        }
        return out;
    }

    private ObjectNode step(int n, JsonNode st) {
        if (st.isObject() && st.has("wait-event")) {
            return waitEvent(n, st.get("wait-event"), option(st, "timeout", DEFAULT_STEP_TIMEOUT_SECONDS));
        }
        if (st.isObject() && st.has("sleep") && st.size() == 1) {
            return sleep(n, PythonJson.toFloat(st.get("sleep")));
        }
        if (st.isObject() && st.has("raw")) {
            JsonNode raw = st.get("raw");
            if (!raw.isTextual()) {
                throw new IllegalArgumentException("step " + n + ": raw must be a string: " + st);
            }
            return raw(n, raw.textValue().getBytes(StandardCharsets.UTF_8), st, "raw", raw);
        }
        if (st.isObject() && st.has("raw-hex")) {
            JsonNode hex = st.get("raw-hex");
            // bytes.fromhex allows blanks between the byte pairs.
            byte[] bytes = HexFormat.of().parseHex(hex.asText().replaceAll("\\s", ""));
            return raw(n, bytes, st, "raw-hex", hex);
        }
        if (st.isObject() && st.has("send")) {
            byte[] text = (PythonJson.compact(st.get("send")) + "\n").getBytes(StandardCharsets.UTF_8);
            return raw(n, text, st, "send", st.get("send"));
        }
        return command(n, st);
    }

    private static double option(JsonNode st, String name, double otherwise) {
        JsonNode v = st.get(name);
        return v == null ? otherwise : PythonJson.toFloat(v);
    }

    private ObjectNode greeting() throws IOException {
        try {
            return NODES.objectNode().set("greeting", orNull(conn.receive(GREETING_TIMEOUT_SECONDS)));
        } catch (QmpChannel.ClosedException e) {
            throw new IOException("the server closed the connection before its greeting: " + e.getMessage(), e);
        }
    }

    /** {@code do_command}: sends the step as compact JSON and waits for the next non-event message. */
    private ObjectNode command(int n, JsonNode cmd) {
        ObjectNode rec = NODES.objectNode();
        rec.put("step", n);
        rec.set("request", cmd);
        try {
            conn.send((PythonJson.compact(cmd) + "\n").getBytes(StandardCharsets.UTF_8));
            long deadline = deadline(commandTimeout);
            while (true) {
                double left = secondsLeft(deadline);
                JsonNode m = left > 0 ? conn.receive(left) : null;
                if (m == null) {
                    rec.putNull("response");
                    rec.put("timed_out", true);
                    break;
                }
                if (isEvent(m)) {
                    noteEvent((ObjectNode) m);
                    continue;
                }
                rec.set("response", m);
                break;
            }
        } catch (QmpChannel.ClosedException e) {
            rec.putNull("response");
            rec.put("closed", e.getMessage());
        }
        rec.set("events", array(takeEvents()));
        return rec;
    }

    /** {@code do_raw}: sends bytes verbatim and records every message until {@code settle} passes quietly. */
    private ObjectNode raw(int n, byte[] data, JsonNode st, String label, JsonNode orig) {
        double timeout = option(st, "timeout", DEFAULT_STEP_TIMEOUT_SECONDS);
        double settle = option(st, "settle", DEFAULT_SETTLE_SECONDS);
        ObjectNode rec = NODES.objectNode();
        rec.put("step", n);
        rec.set(label, orig);
        ArrayNode responses = NODES.arrayNode();
        try {
            conn.send(data);
            long deadline = deadline(timeout);
            boolean received = true;
            while (received) {
                received = receiveOne(Math.min(settle, secondsLeft(deadline)), responses::add);
            }
        } catch (QmpChannel.ClosedException e) {
            rec.put("closed", e.getMessage());
        }
        rec.set("responses", responses);
        rec.set("events", array(takeEvents()));
        return rec;
    }

    /**
     * {@code do_wait_event}: an event that arrived earlier counts unless a wait-event or a sleep
     * consumed it; the record's {@code events} are the others reported meanwhile.
     */
    private ObjectNode waitEvent(int n, JsonNode name, double timeout) {
        ObjectNode rec = NODES.objectNode();
        rec.put("step", n);
        rec.set("wait-event", name);
        rec.put("timeout", timeout);
        ObjectNode found = null;
        long deadline = deadline(timeout);
        try {
            found = consume(name);
            while (found == null && receiveOne(secondsLeft(deadline), m -> unexpected(rec).add(m))) {
                found = consume(name);
            }
        } catch (QmpChannel.ClosedException e) {
            rec.put("closed", e.getMessage());
        }
        rec.set("event", orNull(found));
        rec.put("timed_out", found == null);
        ArrayNode others = NODES.arrayNode();
        for (ObjectNode e : takeEvents()) {
            // By identity, as qmp_run.py does: an equal event that arrived separately is still reported.
            if (e != found) {
                others.add(e);
            }
        }
        rec.set("events", others);
        return rec;
    }

    /** {@code do_sleep}: records the events that arrive, and consumes every event seen so far. */
    private ObjectNode sleep(int n, double seconds) {
        ObjectNode rec = NODES.objectNode();
        rec.put("step", n);
        rec.put("sleep", seconds);
        long deadline = deadline(seconds);
        try {
            boolean received = true;
            while (received) {
                received = receiveOne(secondsLeft(deadline), m -> unexpected(rec).add(m));
            }
        } catch (QmpChannel.ClosedException e) {
            rec.put("closed", e.getMessage());
        }
        rec.set("events", array(takeEvents()));
        unconsumed = new ArrayList<>();
        return rec;
    }

    /**
     * Waits at most {@code seconds} for one message: an event is noted, anything else goes to
     * {@code others}. False when none came in time.
     */
    private boolean receiveOne(double seconds, Consumer<JsonNode> others) throws QmpChannel.ClosedException {
        if (seconds <= 0) {
            return false;
        }
        JsonNode m = conn.receive(seconds);
        if (m == null) {
            return false;
        }
        if (isEvent(m)) {
            noteEvent((ObjectNode) m);
        } else {
            others.accept(m);
        }
        return true;
    }

    /** The first unconsumed event named {@code name}, taken out of the unconsumed ones; null if none. */
    private ObjectNode consume(JsonNode name) {
        for (int i = 0; i < unconsumed.size(); i++) {
            if (unconsumed.get(i).path("event").equals(name)) {
                return unconsumed.remove(i);
            }
        }
        return null;
    }

    private static ArrayNode unexpected(ObjectNode rec) {
        if (!rec.has("unexpected")) {
            rec.set("unexpected", NODES.arrayNode());
        }
        return (ArrayNode) rec.get("unexpected");
    }

    private static boolean isEvent(JsonNode m) {
        return m.isObject() && m.has("event");
    }

    private void noteEvent(ObjectNode m) {
        ObjectNode event = m;
        if (m.has("timestamp")) {
            event = m.deepCopy();
            event.put("timestamp", Normalizer.TIMESTAMP);
        }
        pendingEvents.add(event);
        unconsumed.add(event);
    }

    private List<ObjectNode> takeEvents() {
        List<ObjectNode> events = pendingEvents;
        pendingEvents = new ArrayList<>();
        return events;
    }

    private static ArrayNode array(List<ObjectNode> events) {
        ArrayNode array = NODES.arrayNode();
        events.forEach(array::add);
        return array;
    }

    private static JsonNode orNull(JsonNode m) {
        return m == null ? NODES.nullNode() : m;
    }

    private static long deadline(double seconds) {
        return System.nanoTime() + (long) (seconds * 1e9);
    }

    private static double secondsLeft(long deadline) {
        return (deadline - System.nanoTime()) / 1e9;
    }
}
