package io.vnetd.qmp.command;

import java.util.concurrent.CompletionStage;

/**
 * Runs one command whose arguments have passed the schema. It must not block: work that waits
 * (the control plane's journal) is returned as a stage. Its value is the command's {@code return}:
 * a record, a list, a string, a {@link com.fasterxml.jackson.databind.JsonNode}, or null for a
 * command that returns nothing ({@code {}}). A refusal is a {@link io.vnetd.model.error.NetException},
 * thrown or as the stage's failure, answered with its class and text.
 *
 * @param <A> the record the arguments are bound to
 */
@FunctionalInterface
public interface CommandHandler<A> {
    CompletionStage<?> execute(A arguments, CommandContext context);
}
