package io.vnetd.qmp.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.qmp.json.QmpJsonWriter;
import io.vnetd.qmp.schema.Command;
import io.vnetd.qmp.schema.Introspection;
import io.vnetd.qmp.schema.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The commands of QEMU's control.json and introspect.json: negotiation, version, command list, schema. */
public final class ControlCommands {

    public record CapabilitiesArguments(Optional<List<String>> enable) {
    }

    public record CommandInfo(String name) {
    }

    private ControlCommands() {
    }

    public static List<CommandBinding<?>> bindings(Schema schema, VersionInfo version) {
        // Computed once: neither changes while the server runs. The schema is sent pre-serialized.
        List<CommandInfo> commands = new ArrayList<>();
        for (Command c : schema.commands()) {
            // QEMU prepends each registered command to the list it returns, so it comes out reversed.
            commands.addFirst(new CommandInfo(c.name()));
        }
        List<CommandInfo> commandList = List.copyOf(commands);
        JsonNode schemaInfo = JsonNodeFactory.instance.rawValueNode(
                new RawValue(QmpJsonWriter.toJson(Introspection.schemaInfo(schema))));

        return List.of(
                CommandBinding.of("qmp_capabilities", CapabilitiesArguments.class, (args, session) -> {
                    if (session.negotiated()) {
                        throw new NetException(ErrorClass.CommandNotFound,
                                "Capabilities negotiation is already complete, command ignored");
                    }
                    session.completeNegotiation(args.enable().orElse(List.of()).contains("oob"));
                    return CompletableFuture.completedFuture(null);
                }),
                CommandBinding.of("query-version", NoArguments.class,
                        (args, session) -> CompletableFuture.completedFuture(version)),
                CommandBinding.of("query-commands", NoArguments.class,
                        (args, session) -> CompletableFuture.completedFuture(commandList)),
                CommandBinding.of("query-qmp-schema", NoArguments.class,
                        (args, session) -> CompletableFuture.completedFuture(schemaInfo)));
    }
}
