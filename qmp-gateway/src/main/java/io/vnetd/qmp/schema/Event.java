package io.vnetd.qmp.schema;

import java.util.List;

/** A QMP event; {@code argType} is the object type of its {@code data}. */
public record Event(String name, String argType, List<String> features, Doc doc) implements SchemaEntity {

    public Event {
        features = List.copyOf(features);
    }
}
