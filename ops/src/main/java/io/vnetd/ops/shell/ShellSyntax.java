package io.vnetd.ops.shell;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The shell's lines, in qmp-shell's shorthand: {@code COMMAND [KEY=VALUE]...}, or a QMP request as a JSON object.
 * <ul>
 * <li>Words are separated by blanks; a {@code "..."} or {@code '...'} part keeps its blanks inside the word.</li>
 * <li>A value is a number when it is a JSON number, {@code true} or {@code false} (in any case), a JSON array or
 * object when it starts with {@code [} or <code>{</code> (strings in them may be in single quotes), a string when it is
 * quoted as a whole ({@code id="5"} is the string 5), and otherwise the text as written.</li>
 * <li>A dotted key nests: {@code addr.type=inet addr.host=::1} is {@code "addr": {"type": "inet", "host": "::1"}}.</li>
 * </ul>
 * Unlike qmp-shell, a value that starts like JSON but is not JSON is an error rather than a string (quote it to
 * send it as one), and a quoted value loses its quotes.
 */
public final class ShellSyntax {

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.ALLOW_SINGLE_QUOTES)
            .build();

    private ShellSyntax() {
    }

    /** The request a line stands for: {@code {"execute": NAME, "arguments": {...}}}; null for a blank line. */
    public static ObjectNode request(String line) throws ShellSyntaxException {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        if (trimmed.startsWith("{")) {
            return rawRequest(trimmed);
        }
        List<String> words = words(trimmed);
        ObjectNode request = NODES.objectNode().put("execute", words.getFirst());
        request.set("arguments", arguments(words.subList(1, words.size())));
        return request;
    }

    /** The request {@code -H} sends for a human-monitor command line. */
    public static ObjectNode humanMonitorRequest(String commandLine) {
        ObjectNode request = NODES.objectNode().put("execute", "human-monitor-command");
        request.putObject("arguments").put("command-line", commandLine.strip());
        return request;
    }

    /** The line's words: runs of non-blank characters, where a quoted part may hold blanks. */
    static List<String> words(String line) throws ShellSyntaxException {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            if (Character.isWhitespace(line.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                char c = line.charAt(i);
                i = c == '"' || c == '\'' ? afterQuoted(line, i) : i + 1;
            }
            words.add(line.substring(start, i));
        }
        return words;
    }

    /** Where the quoted part that starts at {@code open} ends (a backslash escapes the next character). */
    private static int afterQuoted(String line, int open) throws ShellSyntaxException {
        char quote = line.charAt(open);
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i + 1;
            }
        }
        throw new ShellSyntaxException("Unterminated quote " + quote + " in '" + line.substring(open) + "'");
    }

    /** The arguments object of {@code KEY=VALUE} words, dotted keys nested. */
    static ObjectNode arguments(List<String> pairs) throws ShellSyntaxException {
        ObjectNode arguments = NODES.objectNode();
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            if (equals < 0) {
                throw new ShellSyntaxException("Expected a key=value pair, got '" + pair + "'");
            }
            String key = pair.substring(0, equals);
            String[] path = key.split("\\.", -1);
            for (String part : path) {
                if (part.isEmpty()) {
                    throw new ShellSyntaxException("Expected a key=value pair with a key, got '" + pair + "'");
                }
            }
            ObjectNode parent = arguments;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = parent.get(path[i]);
                if (child == null) {
                    parent = parent.putObject(path[i]);
                } else if (child instanceof ObjectNode object) {
                    parent = object;
                } else {
                    throw bothLeafAndNot(path, i + 1);
                }
            }
            String leaf = path[path.length - 1];
            JsonNode existing = parent.get(leaf);
            if (existing instanceof ObjectNode) {
                throw bothLeafAndNot(path, path.length);
            }
            if (existing != null) {
                throw new ShellSyntaxException("Cannot set \"" + key + "\" multiple times");
            }
            parent.set(leaf, value(key, pair.substring(equals + 1)));
        }
        return arguments;
    }

    private static ShellSyntaxException bothLeafAndNot(String[] path, int length) {
        return new ShellSyntaxException("Cannot use \"" + String.join(".", List.of(path).subList(0, length))
                + "\" as both leaf and non-leaf key");
    }

    /** A value as the class comment says. */
    static JsonNode value(String key, String text) throws ShellSyntaxException {
        if (INTEGER.matcher(text).matches()) {
            // Through the JSON reader, so that a number is the node it would be in a raw JSON line.
            return readJson(STRICT, new BigInteger(text).toString());
        }
        if (DECIMAL.matcher(text).matches()) {
            return readJson(STRICT, text);
        }
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return BooleanNode.valueOf(text.equalsIgnoreCase("true"));
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            try {
                return LENIENT.readTree(text);
            } catch (JsonProcessingException e) {
                throw new ShellSyntaxException("The value of \"" + key + "\" is not valid JSON: "
                        + e.getOriginalMessage() + " (quote it to send it as a string)");
            }
        }
        if (text.length() >= 2 && (text.charAt(0) == '"' || text.charAt(0) == '\'')
                && text.charAt(text.length() - 1) == text.charAt(0)) {
            try {
                return LENIENT.readTree(text);
            } catch (JsonProcessingException e) {
                // A quote inside that ends the string early ("a"b"): the text is taken as written.
            }
        }
        return NODES.textNode(text);
    }

    private static JsonNode readJson(ObjectMapper mapper, String number) {
        try {
            return mapper.readTree(number);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a number the pattern let through is not JSON: " + number, e);
        }
    }

    private static ObjectNode rawRequest(String line) throws ShellSyntaxException {
        JsonNode request;
        try {
            request = STRICT.readTree(line);
        } catch (JsonProcessingException e) {
            throw new ShellSyntaxException("Not a valid JSON request: " + e.getOriginalMessage());
        }
        if (!(request instanceof ObjectNode object)) {
            throw new ShellSyntaxException("Not a valid JSON request: expected an object");
        }
        return object;
    }
}
