package io.vnetd.qmp.protocol;

import io.vnetd.model.error.ErrorClass;
import java.util.Optional;

/**
 * Told of every request the {@link Dispatcher} answers, for counting (ops exports them as metrics). Called once per
 * answer on the thread that completes it, so it must be quick and must not block.
 */
@FunctionalInterface
public interface CommandOutcomes {

    /** Counts nothing. */
    CommandOutcomes NONE = (command, error) -> {
    };

    /** The label of a request whose command is not in the schema (or that named none): names sent are not trusted. */
    String UNKNOWN_COMMAND = "unknown";

    /**
     * @param command the command's schema name, or {@link #UNKNOWN_COMMAND}
     * @param error   the error class of the answer, empty for a {@code return}
     */
    void answered(String command, Optional<ErrorClass> error);
}
