package io.vnetd.qmp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.model.error.ErrorClass;
import java.time.Instant;
import java.util.List;

/**
 * The messages a QMP server sends, built with QEMU's members inserted in QEMU's order (the wire
 * order then follows from {@link io.vnetd.qmp.json.QDictOrder}).
 */
public final class QmpMessages {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private QmpMessages() {
    }

    /** {@code {"QMP": {"version": V, "capabilities": [...]}}} */
    public static ObjectNode greeting(JsonNode version, List<String> capabilities) {
        ObjectNode qmp = NODES.objectNode();
        qmp.set("version", version);
        capabilities.forEach(qmp.putArray("capabilities")::add);
        ObjectNode greeting = NODES.objectNode();
        greeting.set("QMP", qmp);
        return greeting;
    }

    /** @param id the request's {@code id}, or null if it had none */
    public static ObjectNode success(JsonNode result, JsonNode id) {
        ObjectNode response = NODES.objectNode();
        response.set("return", result);
        return withId(response, id);
    }

    /** @param id the request's {@code id}, or null if it had none */
    public static ObjectNode error(ErrorClass errorClass, String desc, JsonNode id) {
        ObjectNode error = NODES.objectNode();
        error.put("class", errorClass.name());
        error.put("desc", desc);
        ObjectNode response = NODES.objectNode();
        response.set("error", error);
        return withId(response, id);
    }

    /**
     * QEMU's {@code qmp_event_build_dict()} and {@code timestamp_put()}, then the data.
     *
     * @param data null for an event without data
     */
    public static ObjectNode event(String name, JsonNode data, Instant timestamp) {
        ObjectNode event = NODES.objectNode();
        event.put("event", name);
        ObjectNode time = event.putObject("timestamp");
        time.put("seconds", timestamp.getEpochSecond());
        time.put("microseconds", timestamp.getNano() / 1000);
        if (data != null) {
            event.set("data", data);
        }
        return event;
    }

    private static ObjectNode withId(ObjectNode response, JsonNode id) {
        if (id != null) {
            response.set("id", id);
        }
        return response;
    }
}
