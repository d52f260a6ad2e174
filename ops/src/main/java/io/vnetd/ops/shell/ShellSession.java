package io.vnetd.ops.shell;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.ops.qmp.QmpClient;
import io.vnetd.ops.qmp.QmpException;

/** Runs the shell's lines on one QMP connection and formats what comes back; where it is printed is the caller's. */
final class ShellSession {

    /** What one line gave: text for standard output, text for standard error (either may be empty), success. */
    record Outcome(String output, String error, boolean ok) {
    }

    private final QmpClient client;
    private final boolean humanMonitor;
    private final boolean verbose;
    private final ObjectMapper json;

    ShellSession(QmpClient client, boolean humanMonitor, boolean pretty, boolean verbose) {
        this.client = client;
        this.humanMonitor = humanMonitor;
        this.verbose = verbose;
        this.json = new ObjectMapper().configure(SerializationFeature.INDENT_OUTPUT, pretty);
    }

    /** Runs one line; a line that cannot be read is an error that sends nothing. */
    Outcome run(String line) throws QmpException {
        ObjectNode request;
        if (humanMonitor) {
            request = line.isBlank() ? null : ShellSyntax.humanMonitorRequest(line);
        } else {
            try {
                request = ShellSyntax.request(line);
            } catch (ShellSyntaxException e) {
                return new Outcome("", "Error while parsing command line: " + e.getMessage()
                        + "\ncommand format: <command-name> [arg-name1=arg1] ... [arg-nameN=argN]", false);
            }
        }
        if (request == null) {
            return new Outcome("", "", true);
        }
        String sent = verbose ? format(request) + "\n" : "";
        JsonNode answer = client.send(request);
        boolean ok = answer.has("return");
        if (!humanMonitor) {
            return new Outcome(sent + format(answer), "", ok);
        }
        if (!ok) {
            return new Outcome(sent, QmpClient.errorText(answer), false);
        }
        String text = answer.path("return").asText().replace("\r\n", "\n").stripTrailing();
        return new Outcome(sent + text, "", true);
    }

    String format(JsonNode message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }
}
