package io.vnetd.qmp.command;

import io.vnetd.qmp.schema.Command;
import io.vnetd.qmp.schema.Schema;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The dispatch table: exactly one handler per command of the schema, checked when it is built, so a
 * command can neither be served without a schema entry nor be listed without a handler.
 */
public final class CommandTable {

    private final Schema schema;
    private final Map<String, CommandBinding<?>> bindings = new HashMap<>();

    public CommandTable(Schema schema, Collection<CommandBinding<?>> handlers) {
        this.schema = schema;
        for (CommandBinding<?> binding : handlers) {
            if (schema.command(binding.name()).isEmpty()) {
                throw new IllegalArgumentException("handler for '" + binding.name() + "', which the schema does not define");
            }
            if (bindings.put(binding.name(), binding) != null) {
                throw new IllegalArgumentException("two handlers for '" + binding.name() + "'");
            }
        }
        TreeSet<String> unserved = new TreeSet<>();
        for (Command command : schema.commands()) {
            if (!bindings.containsKey(command.name())) {
                unserved.add(command.name());
            }
        }
        if (!unserved.isEmpty()) {
            throw new IllegalArgumentException("no handler for " + unserved);
        }
    }

    public Schema schema() {
        return schema;
    }

    public Optional<CommandBinding<?>> find(String name) {
        return Optional.ofNullable(bindings.get(name));
    }
}
