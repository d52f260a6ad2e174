package io.vnetd.qmp.keyval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.qmp.command.JsonBinding;
import io.vnetd.qmp.schema.ObjectType;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.visit.ArgumentException;
import io.vnetd.qmp.visit.InputVisitor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QEMU's {@code -netdev} and {@code -device} options, read into the same typed configurations as
 * {@code netdev_add} and {@code device_add}, through the same schema. Both take QEMU's keyval
 * syntax ({@code hubport,id=h0,hubid=0}) or a JSON object.
 */
public final class CommandLineNetwork {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.ALLOW_SINGLE_QUOTES).build();

    private final Schema schema;
    private final KeyvalTyper typer;

    public CommandLineNetwork(Schema schema) {
        this.schema = schema;
        this.typer = new KeyvalTyper(schema);
    }

    /**
     * {@code -netdev TYPE,id=ID,...}, read as {@code netdev_add}'s arguments are; the network service
     * checks {@code netdev_add}'s rules when the netdev is declared.
     *
     * @throws NetException with QEMU's error for the first thing wrong in the option's syntax or schema
     */
    public NetdevConfig netdev(String option) {
        ObjectNode tree = option.startsWith("{") ? json(option) : (ObjectNode) typer.type(keyval(option, "type"), "Netdev", "");
        ObjectNode checked;
        try {
            checked = InputVisitor.visitArguments(schema, (ObjectType) schema.type("Netdev"), tree);
        } catch (ArgumentException e) {
            throw NetException.generic(e.getMessage());
        }
        return JsonBinding.netdev(checked);
    }

    /**
     * {@code -device DRIVER,id=ID,netdev=...,mac=...}: properties are strings, as QemuOpts keeps them,
     * and their names flat: keyval's dotted keys ({@code __io.vnetd_guest}) are read back as one name.
     */
    public NicRequest device(String option) {
        ObjectNode tree = option.startsWith("{") ? json(option) : keyval(option, "driver");
        Map<String, String> properties = new LinkedHashMap<>();
        flatten("", tree, properties, !option.startsWith("{"));
        return NicRequest.fromProperties(properties);
    }

    private static void flatten(String prefix, ObjectNode tree, Map<String, String> properties, boolean dotted) {
        tree.properties().forEach(member -> {
            String key = prefix + member.getKey();
            if (dotted && member.getValue() instanceof ObjectNode nested) {
                flatten(key + ".", nested, properties, true);
            } else {
                properties.put(key, scalarText(key, member.getValue()));
            }
        });
    }

    private static String scalarText(String key, JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "on" : "off";
        }
        if (value.isNumber()) {
            return value.asText();
        }
        throw NetException.generic("Parameter '" + key + "' expects a scalar value");
    }

    private static ObjectNode keyval(String option, String impliedKey) {
        try {
            return KeyvalParser.parse(option, impliedKey);
        } catch (IllegalArgumentException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    private static ObjectNode json(String option) {
        try {
            JsonNode tree = JSON.readTree(option);
            if (!tree.isObject()) {
                throw NetException.generic("the option must be a JSON object");
            }
            return (ObjectNode) tree;
        } catch (JsonProcessingException e) {
            throw NetException.generic("JSON parse error, " + e.getOriginalMessage());
        }
    }
}
