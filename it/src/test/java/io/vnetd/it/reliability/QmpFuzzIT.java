package io.vnetd.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QMP fuzzing driven by the daemon's own {@code query-qmp-schema}: arguments are generated from each command's
 * argument type, then broken in one way the schema forbids (a wrong type, a missing or unknown member, a wrong enum
 * value, deep nesting, a huge number), or sent on a side connection as broken JSON (invalid UTF-8, cut short, two
 * messages interleaved, random bytes, huge literals). Between batches a few valid commands change the network. The
 * daemon must stay up with bounded memory, answer every request that has an id exactly once with that id, and a
 * rejected batch must change nothing in the state QMP shows.
 */
@Tag("reliability")
class QmpFuzzIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int BATCH = 100;
    private static final int VALID_PER_BATCH = 10;
    private static final int JUNK_PER_BATCH = 5;
    /** The daemon's heap limit (256 MiB) and as much again for code, metaspace, thread stacks and direct buffers. */
    private static final long MOST_RESIDENT_KB = 512 * 1024;
    /** Commands whose every valid call would end the session or the test's footing. */
    private static final Set<String> NOT_FUZZED = Set.of("qmp_capabilities");
    private static final Set<String> INTEGERS = Set.of("int", "int8", "int16", "int32", "int64", "uint8", "uint16",
            "uint32", "uint64", "size");

    @TempDir
    Path dir;

    private Map<String, JsonNode> types;
    private Random random;
    private int nextId;

    @Test
    void theDaemonSurvivesAnswersOnceAndChangesNothingOnRejectedInput() throws Exception {
        int total = Soak.size(10_000, 100_000);
        long seed = Soak.seed();
        random = new Random(seed);
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("var"));
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            types = new HashMap<>();
            List<JsonNode> commands = new ArrayList<>();
            for (JsonNode entity : qmp.ok("query-qmp-schema", null)) {
                types.put(entity.get("name").asText(), entity);
                if (entity.get("meta-type").asText().equals("command") && !NOT_FUZZED.contains(entity.get("name").asText())) {
                    commands.add(entity);
                }
            }
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"base\",\"hubid\":0}");
            long rssBefore = rss(daemon.pid());
            long fdsBefore = fds(daemon.pid());
            int sent = 0;
            int rejected = 0;
            int valid = 0;
            int junk = 0;
            int batches = 0;
            int hubports = 0;
            while (sent < total) {
                String stateBefore = state(qmp);
                Map<String, ObjectNode> requests = new HashMap<>();
                StringBuilder wire = new StringBuilder();
                for (int i = 0; i < BATCH; i++) {
                    ObjectNode request = broken(commands.get(random.nextInt(commands.size())));
                    requests.put(request.get("id").asText(), request);
                    wire.append(request).append('\n');
                }
                // Written by another thread while this one reads: a batch with huge members can fill both directions'
                // socket buffers, and the daemon, like QEMU, stops reading while its answers wait to be read.
                CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                    try {
                        qmp.send(wire.toString());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, task -> Thread.ofPlatform().daemon().name("fuzz-writer").start(task));
                Map<String, Integer> answered = new HashMap<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (answered.size() < requests.size() && System.nanoTime() - deadline < 0) {
                    JsonNode answer = qmp.read();
                    if (answer.has("event")) {
                        continue;
                    }
                    String id = answer.path("id").asText(null);
                    assertTrue(id != null && requests.containsKey(id), "an answer without a request's id: " + abbreviate(answer));
                    assertEquals(null, answered.put(id, 1), "answered twice: " + abbreviate(requests.get(id)));
                    assertTrue(answer.has("error"), "accepted although broken: " + abbreviate(requests.get(id)) + " -> " + abbreviate(answer));
                    rejected++;
                }
                written.get(60, TimeUnit.SECONDS);
                assertEquals(requests.size(), answered.size(), "every request answered");
                assertEquals(stateBefore, state(qmp), "a rejected batch changed nothing (batch " + batches + ", seed " + seed + ")");
                sent += BATCH;
                for (int i = 0; i < VALID_PER_BATCH; i++) {
                    JsonNode reply = switch (random.nextInt(5)) {
                        case 0 -> qmp.execute("netdev_add", JSON.readTree(
                                "{\"type\":\"hubport\",\"id\":\"fz" + hubports++ + "\",\"hubid\":" + random.nextInt(4) + "}"));
                        case 1 -> hubports > 0
                                ? qmp.execute("netdev_del", JSON.readTree("{\"id\":\"fz" + --hubports + "\"}"))
                                : qmp.execute("query-version", (JsonNode) null);
                        case 2 -> qmp.execute("set_link", JSON.readTree("{\"name\":\"base\",\"up\":" + random.nextBoolean() + "}"));
                        case 3 -> qmp.execute("query-rx-filter", (JsonNode) null);
                        default -> qmp.execute("__io.vnetd_query-net-clients", (JsonNode) null);
                    };
                    assertTrue(reply.has("return"), "a valid command failed: " + reply);
                    valid++;
                }
                sent += VALID_PER_BATCH;
                junk += sendJunk(daemon.qmpSocket());
                sent += JUNK_PER_BATCH;
                batches++;
            }
            assertTrue(qmp.ok("query-version", null).has("qemu"), "the daemon answers after the fuzzing");
            long fdsAfter = awaitFds(daemon.pid(), fdsBefore);
            long rssAfter = rss(daemon.pid());
            Soak.print("qmp-fuzz", "seed " + seed + ", messages " + sent + " (rejected " + rejected + ", valid " + valid
                    + ", broken JSON " + junk + "), batches " + batches + ", VmRSS before " + rssBefore / 1024 + " MiB, after "
                    + rssAfter / 1024 + " MiB, open descriptors before " + fdsBefore + ", after " + fdsAfter);
            // The heap may grow to its limit (-Xmx256m, VnetdProcess) while 1 MiB members pass through; bounded means
            // within that limit and the JVM's own memory beside it, not back to the start.
            assertTrue(rssAfter < MOST_RESIDENT_KB, "resident memory grew from " + rssBefore + " kB to " + rssAfter + " kB");
            assertTrue(fdsAfter <= fdsBefore + 2, "descriptors leaked: " + fdsBefore + " -> " + fdsAfter);
        }
    }

    /** A request that the schema forbids, with a fresh id. */
    private ObjectNode broken(JsonNode command) {
        String name = command.get("name").asText();
        ObjectNode args = (ObjectNode) generate(command.get("arg-type").asText(), 0);
        ObjectNode request = NODES.objectNode().put("execute", name);
        request.set("arguments", args);
        String id = "fz-" + nextId++;
        switch (random.nextInt(12)) {
            case 0 -> args.put("x-fuzz-unknown-" + random.nextInt(100), random.nextInt());
            case 1, 2, 3 -> {
                if (!wrongType(command.get("arg-type").asText(), args)) {
                    args.put("x-fuzz-unknown", "no member has a type to break");
                }
            }
            case 4 -> {
                if (!dropRequired(command.get("arg-type").asText(), args)) {
                    request.put("execute", name + "-x-fuzz-unknown");
                }
            }
            case 5 -> request.set("arguments", random.nextBoolean() ? NODES.arrayNode() : NODES.textNode("x"));
            case 6 -> request.put("execute", random.nextBoolean() ? "x-fuzz-no-such-command" : "");
            case 7 -> request.put("execute", random.nextInt());
            case 8 -> {
                // Out-of-band execution the session did not negotiate.
                request.remove("execute");
                request.put("exec-oob", name);
            }
            case 9 -> request.put("x-fuzz-top-level", true);
            case 10 -> {
                // A huge id, echoed back whole.
                id = id + "-" + "i".repeat(64 << 10);
                request.put("execute", "x-fuzz-no-such-command");
            }
            default -> args.set("x-fuzz-deep", nested(64));
        }
        request.put("id", id);
        return request;
    }

    /** A value of schema type {@code type} that the schema accepts (the daemon may still refuse its meaning). */
    private JsonNode generate(String type, int depth) {
        if (INTEGERS.contains(type)) {
            return NODES.numberNode(random.nextInt(100));
        }
        switch (type) {
            case "str" -> {
                return NODES.textNode("f" + random.nextInt(1000));
            }
            case "bool" -> {
                return NODES.booleanNode(random.nextBoolean());
            }
            case "number" -> {
                return NODES.numberNode(random.nextDouble());
            }
            case "null", "any" -> {
                return NODES.nullNode();
            }
            default -> {
            }
        }
        JsonNode schema = types.get(type);
        switch (schema.get("meta-type").asText()) {
            case "enum" -> {
                JsonNode values = schema.get("values");
                return NODES.textNode(values.get(random.nextInt(values.size())).asText());
            }
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = depth < 3 ? random.nextInt(3) : 0; i > 0; i--) {
                    array.add(generate(schema.get("element-type").asText(), depth + 1));
                }
                return array;
            }
            case "alternate" -> {
                JsonNode members = schema.get("members");
                return generate(members.get(random.nextInt(members.size())).get("type").asText(), depth + 1);
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                addMembers(schema, object, depth);
                return object;
            }
        }
    }

    private void addMembers(JsonNode schema, ObjectNode object, int depth) {
        for (JsonNode member : schema.path("members")) {
            if (!member.has("default") || (depth < 3 && random.nextBoolean())) {
                object.set(member.get("name").asText(), generate(member.get("type").asText(), depth + 1));
            }
        }
        if (schema.has("variants")) {
            JsonNode variants = schema.get("variants");
            JsonNode variant = variants.get(random.nextInt(variants.size()));
            object.put(schema.get("tag").asText(), variant.get("case").asText());
            addMembers(types.get(variant.get("type").asText()), object, depth);
        }
    }

    /** Gives one member a value of another kind than its type; false if the type has no such member. */
    private boolean wrongType(String type, ObjectNode args) {
        List<Map.Entry<String, String>> members = new ArrayList<>();
        collectMembers(types.get(type), args, members);
        members.removeIf(m -> m.getValue().equals("any") || (types.containsKey(m.getValue())
                && types.get(m.getValue()).get("meta-type").asText().equals("alternate")));
        if (members.isEmpty()) {
            return false;
        }
        Map.Entry<String, String> member = members.get(random.nextInt(members.size()));
        String memberType = member.getValue();
        String metaType = types.containsKey(memberType) ? types.get(memberType).get("meta-type").asText() : memberType;
        JsonNode wrong;
        if (INTEGERS.contains(memberType)) {
            wrong = switch (random.nextInt(4)) {
                case 0 -> NODES.textNode("12");
                case 1 -> NODES.booleanNode(true);
                case 2 -> NODES.numberNode(1.5);
                default -> NODES.numberNode(BigInteger.TEN.pow(30 + random.nextInt(300)));
            };
        } else if (metaType.equals("str") || metaType.equals("enum")) {
            wrong = random.nextBoolean() ? NODES.numberNode(random.nextInt()) : nested(1 + random.nextInt(40));
        } else if (metaType.equals("enum-value")) {
            wrong = NODES.numberNode(1);
        } else if (metaType.equals("bool")) {
            wrong = random.nextBoolean() ? NODES.textNode("yes") : NODES.numberNode(1);
        } else if (metaType.equals("number")) {
            wrong = NODES.textNode("1.0");
        } else if (metaType.equals("array")) {
            wrong = NODES.textNode("x".repeat(random.nextInt(1 << 16)));
        } else {
            wrong = NODES.numberNode(7);
        }
        if (metaType.equals("enum") && random.nextBoolean()) {
            wrong = NODES.textNode("x-fuzz-no-such-value");
        }
        args.set(member.getKey(), wrong);
        return true;
    }

    /** The members present in {@code args} with their types, variant members included. */
    private void collectMembers(JsonNode schema, ObjectNode args, List<Map.Entry<String, String>> into) {
        for (JsonNode member : schema.path("members")) {
            String name = member.get("name").asText();
            if (args.has(name) && !(schema.has("tag") && schema.get("tag").asText().equals(name))) {
                into.add(Map.entry(name, member.get("type").asText()));
            }
        }
        if (schema.has("variants") && args.has(schema.get("tag").asText())) {
            String tag = args.get(schema.get("tag").asText()).asText();
            for (JsonNode variant : schema.get("variants")) {
                if (variant.get("case").asText().equals(tag)) {
                    collectMembers(types.get(variant.get("type").asText()), args, into);
                }
            }
        }
    }

    /** Removes a member the schema requires; false if none is. */
    private boolean dropRequired(String type, ObjectNode args) {
        List<String> required = new ArrayList<>();
        for (JsonNode member : types.get(type).path("members")) {
            if (!member.has("default")) {
                required.add(member.get("name").asText());
            }
        }
        if (required.isEmpty()) {
            return false;
        }
        args.remove(required.get(random.nextInt(required.size())));
        return true;
    }

    private static JsonNode nested(int depth) {
        JsonNode value = NODES.textNode("deep");
        for (int i = 0; i < depth; i++) {
            value = i % 2 == 0 ? NODES.arrayNode().add(value) : NODES.objectNode().set("d", value);
        }
        return value;
    }

    /** Broken JSON on a connection of its own, which it may leave unusable; returns the messages sent. */
    private int sendJunk(Path socket) throws IOException {
        try (SocketChannel side = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            side.connect(UnixDomainSocketAddress.of(socket));
            side.write(ByteBuffer.wrap("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII)));
            for (int i = 0; i < JUNK_PER_BATCH; i++) {
                byte[] bytes = switch (random.nextInt(7)) {
                    case 0 -> invalidUtf8();
                    case 1 -> truncated();
                    case 2 -> interleaved();
                    case 3 -> {
                        byte[] noise = new byte[1 + random.nextInt(4096)];
                        random.nextBytes(noise);
                        yield noise;
                    }
                    case 4 -> ("{\"execute\":\"query-version\",\"arguments\":" + "[".repeat(100_000)).getBytes(StandardCharsets.US_ASCII);
                    case 5 -> ("{\"execute\":\"netdev_del\",\"arguments\":{\"id\":" + "9".repeat(100_000) + "}}\n").getBytes(StandardCharsets.US_ASCII);
                    default -> ("{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"" + "s".repeat(1 << 20) + "\"}}\n").getBytes(StandardCharsets.US_ASCII);
                };
                ByteBuffer out = ByteBuffer.wrap(bytes);
                while (out.hasRemaining()) {
                    side.write(out);
                }
            }
        } catch (IOException closedByDaemon) {
            // The daemon may close a connection that sent garbage; the main connection must not notice.
        }
        return JUNK_PER_BATCH;
    }

    private byte[] invalidUtf8() {
        byte[] head = "{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = {(byte) 0xff, (byte) 0xc0, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0x80, (byte) 0xf8};
        byte[] tail = "\"}}\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        System.arraycopy(tail, 0, all, head.length + bad.length, tail.length);
        return all;
    }

    private byte[] truncated() {
        String whole = "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"hubport\",\"id\":\"cut\",\"hubid\":0},\"id\":\"cut\"}";
        return (whole.substring(0, 1 + random.nextInt(whole.length() - 1)) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] interleaved() {
        String a = "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"hubport\",\"id\":\"mix\",\"hubid\":0}}";
        String b = "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"base\",\"up\":false}}";
        StringBuilder mixed = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            if (j >= b.length() || (i < a.length() && random.nextBoolean())) {
                mixed.append(a.charAt(i++));
            } else {
                mixed.append(b.charAt(j++));
            }
        }
        return mixed.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** What QMP shows of the network: every net client, the rx filters, and {@code info network}. */
    private static String state(QmpClient qmp) throws IOException {
        return qmp.ok("__io.vnetd_query-net-clients", null) + "\n" + qmp.ok("query-rx-filter", null) + "\n"
                + qmp.hmp("info network");
    }

    private static String abbreviate(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static long fds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    /** The daemon's descriptors once it has closed the side connections (it may take a moment). */
    private static long awaitFds(long pid, long target) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long now = fds(pid);
        while (now > target && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
            now = fds(pid);
        }
        return now;
    }
}
