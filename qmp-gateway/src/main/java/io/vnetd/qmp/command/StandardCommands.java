package io.vnetd.qmp.command;

import io.vnetd.model.service.NetworkService;
import io.vnetd.qmp.hmp.HumanMonitor;
import io.vnetd.qmp.schema.Schema;
import java.util.ArrayList;
import java.util.List;

/** vnetd's dispatch table: every command of the schema with its handler. */
public final class StandardCommands {

    private StandardCommands() {
    }

    public static CommandTable table(Schema schema, VersionInfo version, NetworkService network) {
        List<CommandBinding<?>> bindings = new ArrayList<>();
        bindings.addAll(ControlCommands.bindings(schema, version));
        bindings.addAll(NetCommands.bindings(network));
        bindings.addAll(MonitorCommands.bindings(new HumanMonitor(network)));
        return new CommandTable(schema, bindings);
    }
}
