package io.vnetd.qmp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.qmp.command.CommandBinding;
import io.vnetd.qmp.command.CommandContext;
import io.vnetd.qmp.command.CommandTable;
import io.vnetd.qmp.command.JsonBinding;
import io.vnetd.qmp.json.JsonOutput;
import io.vnetd.qmp.json.QDictOrder;
import io.vnetd.qmp.json.QmpJsonWriter;
import io.vnetd.qmp.json.WritableValue;
import io.vnetd.qmp.schema.Command;
import io.vnetd.qmp.schema.ObjectType;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.visit.ArgumentException;
import io.vnetd.qmp.visit.InputVisitor;
import io.vnetd.qmp.visit.OutputWriter;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one QMP request, as QEMU's {@code qmp_dispatch()} does: check the request's own members,
 * find the command (only {@code qmp_capabilities} before negotiation), check out-of-band use, check
 * the arguments against the schema, run the handler, and turn its outcome into a response that
 * echoes the request's {@code id}. Thread-safe; holds no session state.
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final String NEGOTIATION = "qmp_capabilities";

    private final CommandTable commands;
    private final Schema schema;
    private final OutputWriter results;
    private final CommandOutcomes outcomes;

    public Dispatcher(CommandTable commands) {
        this(commands, CommandOutcomes.NONE);
    }

    public Dispatcher(CommandTable commands, CommandOutcomes outcomes) {
        this.commands = commands;
        this.schema = commands.schema();
        this.results = new OutputWriter(schema, JsonBinding::result);
        this.outcomes = outcomes;
    }

    /** QEMU's {@code qmp_is_oob()}: such a request is answered at once, not in turn. */
    static boolean isOutOfBand(JsonNode request) {
        return request.has("exec-oob") && !request.has("execute");
    }

    /** @return the response as written on the wire, line end included; the stage never fails */
    public CompletionStage<JsonOutput> dispatch(JsonNode request, CommandContext session, boolean oobEnabled) {
        if (!(request instanceof ObjectNode dict)) {
            return CompletableFuture.completedFuture(refused(null, "QMP input must be a JSON object", null));
        }
        JsonNode id = dict.get("id");
        String name = null;
        try {
            String key = checkRequest(dict, oobEnabled);
            name = dict.get(key).textValue();
            Command command = find(name, session.negotiated());
            if (key.equals("exec-oob") && !command.allowOob()) {
                throw NetException.generic("The command " + name + " does not support OOB");
            }
            ObjectNode arguments = dict.get("arguments") instanceof ObjectNode given
                    ? given : JsonNodeFactory.instance.objectNode();
            if (command.generated()) {
                arguments = InputVisitor.visitArguments(schema, (ObjectType) schema.type(command.argType()), arguments);
            }
            CommandBinding<?> binding = commands.find(name).orElseThrow();
            String commandName = name;
            return binding.invoke(arguments, session).handle((value, failure) -> failure == null
                    ? success(command, value, id)
                    : failure(failure, commandName, id));
        } catch (ArgumentException e) {
            return CompletableFuture.completedFuture(refused(name, e.getMessage(), id));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failure(e, name, id));
        }
    }

    /**
     * QEMU's {@code qmp_dispatch_check_obj()}: the request's members in QDict order, the first bad
     * one reported.
     *
     * @return the member naming the command, {@code execute} or {@code exec-oob}
     */
    private static String checkRequest(ObjectNode request, boolean oobEnabled) {
        String execKey = null;
        for (String key : QDictOrder.keys(request)) {
            JsonNode value = request.get(key);
            if (key.equals("execute") || key.equals("exec-oob") && oobEnabled) {
                if (!value.isTextual()) {
                    throw NetException.generic("QMP input member '" + key + "' must be a string");
                }
                if (execKey != null) {
                    throw NetException.generic("QMP input member '" + key + "' clashes with '" + execKey + "'");
                }
                execKey = key;
            } else if (key.equals("arguments")) {
                if (!value.isObject()) {
                    throw NetException.generic("QMP input member 'arguments' must be an object");
                }
            } else if (!key.equals("id")) {
                throw NetException.generic("QMP input member '" + key + "' is unexpected");
            }
        }
        if (execKey == null) {
            throw NetException.generic("QMP input lacks member 'execute'");
        }
        return execKey;
    }

    private Command find(String name, boolean negotiated) {
        if (!negotiated && !name.equals(NEGOTIATION)) {
            // QEMU looks the command up in a table holding only qmp_capabilities, then replaces
            // the "not found" description with a hint.
            throw new NetException(ErrorClass.CommandNotFound, "Expecting capabilities negotiation with 'qmp_capabilities'");
        }
        return schema.command(name).orElseThrow(
                () -> new NetException(ErrorClass.CommandNotFound, "The command " + name + " has not been found"));
    }

    /**
     * The result is written into the response as the response is written, without a tree of its own;
     * a result that does not fit its type fails the command, and what was written of it is dropped.
     */
    private JsonOutput success(Command command, Object value, JsonNode id) {
        try {
            JsonNode result = switch (value) {
                case null -> JsonNodeFactory.instance.objectNode();
                case POJONode preserialized -> preserialized;
                default -> new POJONode((WritableValue) out -> results.write(command.retType(), value, out));
            };
            JsonOutput answer = QmpJsonWriter.lineOutput(QmpMessages.success(result, id));
            outcomes.answered(command.name(), Optional.empty());
            return answer;
        } catch (RuntimeException e) {
            return failure(e, command.name(), id);
        }
    }

    private JsonOutput refused(String command, String desc, JsonNode id) {
        outcomes.answered(outcomeLabel(command), Optional.of(ErrorClass.GenericError));
        return QmpJsonWriter.lineOutput(QmpMessages.error(ErrorClass.GenericError, desc, id));
    }

    private JsonOutput failure(Throwable failure, String command, JsonNode id) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        ErrorClass errorClass;
        String desc;
        if (cause instanceof NetException e) {
            errorClass = e.errorClass();
            desc = e.desc();
        } else {
            LOG.error("QMP command {} failed", command, cause);
            errorClass = ErrorClass.GenericError;
            desc = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
        }
        outcomes.answered(outcomeLabel(command), Optional.of(errorClass));
        return QmpJsonWriter.lineOutput(QmpMessages.error(errorClass, desc, id));
    }

    /** The schema's name of a command, so that a client sending made-up names cannot add labels without end. */
    private String outcomeLabel(String command) {
        return command != null && schema.command(command).isPresent() ? command : CommandOutcomes.UNKNOWN_COMMAND;
    }
}
