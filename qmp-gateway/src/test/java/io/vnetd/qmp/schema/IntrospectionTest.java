package io.vnetd.qmp.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** query-qmp-schema against QEMU 7.2's answer. */
class IntrospectionTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static ArrayNode qemuSchema() throws IOException {
        try (InputStream in = IntrospectionTest.class.getResourceAsStream("/conformance/qemu-7.2/query-qmp-schema.wire.txt")) {
            return (ArrayNode) new ObjectMapper().readTree(in).get("return");
        }
    }

    private static Map<String, JsonNode> byName(ArrayNode infos) {
        Map<String, JsonNode> map = new HashMap<>();
        infos.forEach(info -> map.put(info.get("name").textValue(), info));
        return map;
    }

    /** A type reference with masked names replaced by the structure they stand for. */
    private static JsonNode canonical(String name, Map<String, JsonNode> infos, Set<String> expanding) {
        JsonNode info = infos.get(name);
        if (!expanding.add(name)) {
            return NODES.textNode("<recursive>");
        }
        try {
            return switch (info.get("meta-type").textValue()) {
                case "builtin" -> NODES.textNode(name);
                case "array" -> NODES.arrayNode().add(canonical(info.get("element-type").textValue(), infos, expanding));
                case "enum" -> {
                    List<String> values = new ArrayList<>();
                    info.get("values").forEach(v -> values.add(v.textValue()));
                    List<String> members = new ArrayList<>();
                    info.get("members").forEach(m -> members.add(m.get("name").textValue()));
                    assertEquals(values, members, "an enum's members and values agree");
                    values.sort(null);
                    yield NODES.objectNode().put("enum", String.join(",", values));
                }
                case "object" -> {
                    ObjectNode object = NODES.objectNode();
                    Map<String, JsonNode> members = new TreeMap<>();
                    for (JsonNode m : info.get("members")) {
                        ObjectNode member = NODES.objectNode();
                        member.set("type", canonical(m.get("type").textValue(), infos, expanding));
                        member.put("optional", m.has("default"));
                        members.put(m.get("name").textValue(), member);
                    }
                    members.forEach(object::set);
                    if (info.has("variants")) {
                        ObjectNode variants = object.putObject("variants@" + info.get("tag").textValue());
                        Map<String, JsonNode> cases = new TreeMap<>();
                        info.get("variants").forEach(v -> cases.put(v.get("case").textValue(), canonical(v.get("type").textValue(), infos, expanding)));
                        cases.forEach(variants::set);
                    }
                    yield object;
                }
                case "command" -> NODES.objectNode()
                        .<ObjectNode>set("arg", canonical(info.get("arg-type").textValue(), infos, expanding))
                        .set("ret", canonical(info.get("ret-type").textValue(), infos, expanding));
                case "event" -> canonical(info.get("arg-type").textValue(), infos, expanding);
                default -> throw new AssertionError(info);
            };
        } finally {
            expanding.remove(name);
        }
    }

    @Test
    void theNetworkingApiIsQemus() throws IOException {
        Map<String, JsonNode> qemu = byName(qemuSchema());
        Map<String, JsonNode> ours = byName(Introspection.schemaInfo(Schema.load(SchemaTest.LINUX)));
        for (String entity : List.of("set_link", "netdev_del", "query-rx-filter", "announce-self",
                "NIC_RX_FILTER_CHANGED", "FAILOVER_NEGOTIATED", "NETDEV_STREAM_CONNECTED", "NETDEV_STREAM_DISCONNECTED",
                "qmp_capabilities", "query-version", "query-commands", "query-qmp-schema", "human-monitor-command",
                "device_del", "DEVICE_DELETED")) {
            assertEquals(canonical(entity, qemu, new HashSet<>()), canonical(entity, ours, new HashSet<>()), entity);
        }
        // netdev_add too, except that vnetd has the API level of QEMU 9.1 (stream has 'reconnect')
        JsonNode netdev = canonical("netdev_add", ours, new HashSet<>());
        ObjectNode stream = (ObjectNode) netdev.get("arg").get("variants@type").get("stream");
        assertEquals("{\"type\":\"int\",\"optional\":true}", stream.remove("reconnect").toString());
        // and vnetd's downstream member naming the cluster node
        assertEquals("{\"type\":\"str\",\"optional\":true}", ((ObjectNode) netdev.get("arg")).remove("__io.vnetd_node").toString());
        // and vnetd's downstream netdev type, the vhost-user port it serves itself
        String port = "__io.vnetd_vhost-user-port";
        assertEquals("{\"path\":{\"type\":\"str\",\"optional\":false},\"queues\":{\"type\":\"int\",\"optional\":true},"
                + "\"reconnect\":{\"type\":\"int\",\"optional\":true},\"server\":{\"type\":\"bool\",\"optional\":true}}",
                ((ObjectNode) netdev.get("arg").get("variants@type")).remove(port).toString());
        ObjectNode drivers = (ObjectNode) netdev.get("arg").get("type").get("type");
        drivers.put("enum", drivers.get("enum").textValue().replace(port + ",", ""));
        assertEquals(canonical("netdev_add", qemu, new HashSet<>()), netdev);
        // device_add too, except vnetd's downstream properties giving a NIC its guest side
        JsonNode device = canonical("device_add", ours, new HashSet<>());
        ObjectNode deviceArgs = (ObjectNode) device.get("arg");
        for (String guestProperty : List.of("__io.vnetd_guest", "__io.vnetd_guest-netns")) {
            assertEquals("{\"type\":\"str\",\"optional\":true}", deviceArgs.remove(guestProperty).toString());
        }
        assertEquals(canonical("device_add", qemu, new HashSet<>()), device);
    }

    @Test
    void theFormatIsQemus() {
        ArrayNode infos = Introspection.schemaInfo(Schema.load(SchemaTest.LINUX));
        Map<String, JsonNode> byName = byName(infos);
        assertEquals(infos.size(), byName.size(), "names are unique");
        boolean typesStarted = false;
        for (JsonNode info : infos) {
            String metaType = info.get("meta-type").textValue();
            String name = info.get("name").textValue();
            boolean entity = metaType.equals("command") || metaType.equals("event");
            assertTrue(!entity || !typesStarted, "commands and events come first: " + name);
            typesStarted |= !entity;
            switch (metaType) {
                case "builtin", "command", "event" -> assertTrue(name.matches("[a-z_][a-z0-9_.-]*|[A-Z_]+"), name);
                case "array" -> assertEquals("[" + info.get("element-type").textValue() + "]", name);
                default -> assertTrue(name.matches("\\d+"), "masked: " + name);
            }
            info.findValues("type").forEach(t -> {
                if (t.isTextual()) {
                    assertTrue(byName.containsKey(t.textValue()), "defined: " + t);
                }
            });
        }
        assertEquals("{\"json-type\":\"int\",\"name\":\"int\",\"meta-type\":\"builtin\"}", byName.get("int").toString());
        assertTrue(byName.containsKey("[int]"));
        JsonNode netdevAdd = byName.get("netdev_add");
        assertEquals("0", byName.get(netdevAdd.get("ret-type").textValue()).get("members").size() + "");
        JsonNode enabled = byName.get(byName.get("qmp_capabilities").get("arg-type").textValue()).get("members").get(0);
        assertEquals("{\"default\":null,\"name\":\"enable\",\"type\":\"[" + enabled.get("type").textValue().replaceAll("[\\[\\]]", "") + "]\"}",
                enabled.toString());
    }
}
