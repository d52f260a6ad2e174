package io.vnetd.qmp.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * vnetd's QMP API as one QAPI schema: the single source of argument validation, introspection
 * ({@code query-qmp-schema}), the command list and the reference documentation. Immutable.
 */
public final class Schema {

    /** Where the schema lives on the class path, and its top file. */
    public static final String RESOURCE_DIRECTORY = "io/vnetd/qmp/qapi/";
    public static final String TOP_FILE = "qapi-schema.json";

    /** The implicit empty object type: the arguments of a command without any, a result of nothing. */
    public static final String EMPTY_TYPE = "q_empty";

    private final Map<String, QapiType> types;
    private final List<SchemaEntity> definitions;
    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final Map<String, Event> events = new LinkedHashMap<>();

    Schema(Map<String, QapiType> types, List<SchemaEntity> definitions) {
        this.types = Map.copyOf(types);
        this.definitions = List.copyOf(definitions);
        for (SchemaEntity entity : definitions) {
            if (entity instanceof Command c) {
                commands.put(c.name(), c);
            } else if (entity instanceof Event e) {
                events.put(e.name(), e);
            }
        }
    }

    /** vnetd's own schema, evaluated against the given {@link HostConditions}. */
    public static Schema load(Set<String> conditions) {
        ClassLoader loader = Schema.class.getClassLoader();
        return parse(path -> {
            try (InputStream in = loader.getResourceAsStream(RESOURCE_DIRECTORY + path)) {
                return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, TOP_FILE, conditions);
    }

    /**
     * @param sources maps a file path to its text (null if absent); includes are resolved against
     *     the including file's directory
     */
    public static Schema parse(Function<String, String> sources, String topFile, Set<String> conditions) {
        return SchemaBuilder.build(QapiReader.read(sources, topFile), conditions);
    }

    /** @throws IllegalArgumentException if there is no such type */
    public QapiType type(String name) {
        QapiType type = types.get(name);
        if (type == null) {
            throw new IllegalArgumentException("no type '" + name + "' in the schema");
        }
        return type;
    }

    public Optional<Command> command(String name) {
        return Optional.ofNullable(commands.get(name));
    }

    /** In definition order. */
    public List<Command> commands() {
        return List.copyOf(commands.values());
    }

    public Optional<Event> event(String name) {
        return Optional.ofNullable(events.get(name));
    }

    /** In definition order. */
    public List<Event> events() {
        return List.copyOf(events.values());
    }

    /** Every named definition (no built-in or implicit type) in definition order. */
    public List<SchemaEntity> definitions() {
        return definitions;
    }
}
