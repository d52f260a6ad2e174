package io.vnetd.qmp.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;

/**
 * Binds a command of the schema to its Java handler.
 *
 * @param name         the command's name in the schema
 * @param argumentType the record its checked arguments are bound to ({@link NoArguments} if none;
 *     {@link ObjectNode} to take the tree as it is)
 */
public record CommandBinding<A>(String name, Class<A> argumentType, CommandHandler<A> handler) {

    public static <A> CommandBinding<A> of(String name, Class<A> argumentType, CommandHandler<A> handler) {
        return new CommandBinding<>(name, argumentType, handler);
    }

    /** Binds the arguments and runs the handler; a handler's own exception is thrown as is. */
    public CompletionStage<?> invoke(ObjectNode arguments, CommandContext context) {
        return handler.execute(JsonBinding.bind(arguments, argumentType), context);
    }
}
