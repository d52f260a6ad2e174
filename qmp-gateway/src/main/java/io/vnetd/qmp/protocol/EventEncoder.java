package io.vnetd.qmp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.model.service.NetEvent;
import io.vnetd.qmp.command.JsonBinding;
import io.vnetd.qmp.json.QmpJsonWriter;
import io.vnetd.qmp.schema.Event;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.visit.OutputShaper;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serializes a control-plane event once, as the QMP message every session receives. */
public final class EventEncoder {

    private static final Logger LOG = LoggerFactory.getLogger(EventEncoder.class);

    private final Schema schema;
    private final OutputShaper shaper;

    public EventEncoder(Schema schema) {
        this.schema = schema;
        this.shaper = new OutputShaper(schema);
    }

    /** @return the message, or empty (and a log entry) for an event the schema does not define as given */
    public Optional<byte[]> encode(NetEvent event, Instant timestamp) {
        Optional<Event> definition = schema.event(event.eventName());
        if (definition.isEmpty()) {
            LOG.warn("dropping event {}: not in the QMP schema", event.eventName());
            return Optional.empty();
        }
        try {
            String argType = definition.get().argType();
            JsonNode data = argType.equals(Schema.EMPTY_TYPE) ? null : shaper.shape(argType, JsonBinding.eventData(event));
            return Optional.of(QmpJsonWriter.line(QmpMessages.event(event.eventName(), data, timestamp)));
        } catch (RuntimeException e) {
            LOG.warn("dropping event {}: {}", event, e.getMessage());
            return Optional.empty();
        }
    }
}
