package io.vnetd.ops.qmp;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** How a tool reaches a running daemon: the endpoint argument and the answer timeout (a picocli mixin). */
public final class QmpConnectionOptions {

    @Parameters(index = "0", arity = "0..1", paramLabel = "ENDPOINT", defaultValue = QmpEndpoint.DEFAULT,
            description = "the daemon's QMP endpoint: unix:PATH, tcp:HOST:PORT, a socket path or HOST:PORT"
                    + " (default: ${DEFAULT-VALUE}, the daemon's own default)")
    String endpoint;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long to wait for the greeting and for each answer (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Connects and negotiates, or fails with a {@link QmpException} saying why. */
    public QmpClient connect() throws QmpException {
        QmpEndpoint parsed;
        try {
            parsed = QmpEndpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (timeoutSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds");
        }
        return QmpClient.connect(parsed, Duration.ofSeconds(timeoutSeconds));
    }
}
