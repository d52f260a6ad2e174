package io.vnetd.qmp.command;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vnetd.model.error.NetException;
import io.vnetd.qmp.hmp.HumanMonitor;
import java.util.List;
import java.util.OptionalLong;

/** {@code human-monitor-command}: an HMP command line, answered with its text output. */
public final class MonitorCommands {

    public record HumanMonitorArguments(@JsonProperty("command-line") String commandLine,
                                        @JsonProperty("cpu-index") OptionalLong cpuIndex) {
    }

    private MonitorCommands() {
    }

    public static List<CommandBinding<?>> bindings(HumanMonitor monitor) {
        return List.of(CommandBinding.of("human-monitor-command", HumanMonitorArguments.class, (args, session) -> {
            if (args.cpuIndex().isPresent()) {
                // QEMU's answer when the index names no CPU; vnetd has none.
                throw NetException.generic("Parameter 'cpu-index' expects a CPU number");
            }
            return monitor.execute(args.commandLine());
        }));
    }
}
