package io.vnetd.qmp.schema;

import java.util.List;

/** A definition of the schema: a type, a command or an event. */
public sealed interface SchemaEntity permits QapiType, Command, Event {

    String name();

    /** Feature flags, e.g. {@code unstable} or {@code deprecated}. */
    List<String> features();

    Doc doc();
}
