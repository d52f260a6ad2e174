package io.vnetd.it.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One case file ({@code cases/NAME.jsonl}), read as {@code qmp_run.load_case} reads it: one JSON
 * value per line, blank lines and lines starting with {@code #} or {@code //} ignored.
 *
 * @param steps every step in file order, including {@code runner} and {@code comment} lines
 */
record ConformanceCase(String name, List<JsonNode> steps) {

    private static final double DEFAULT_DRAIN_SECONDS = 0.3;
    private static final double DEFAULT_TIMEOUT_SECONDS = 10.0;

    static ConformanceCase load(Path file) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
        List<JsonNode> steps = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).strip();
            if (s.isEmpty() || s.startsWith("#") || s.startsWith("//")) {
                continue;
            }
            try {
                steps.add(PythonJson.parse(s));
            } catch (JsonProcessingException e) {
                throw new IOException(file + ":" + (i + 1) + ": invalid JSON in case file: " + e.getOriginalMessage(), e);
            }
        }
        return new ConformanceCase(name, List.copyOf(steps));
    }

    /** {@code case_header}: the {@code runner} directives, which count only on the first step. */
    ObjectNode header() {
        if (!steps.isEmpty() && steps.getFirst() instanceof ObjectNode first
                && first.get("runner") instanceof ObjectNode runner) {
            return runner;
        }
        return JsonNodeFactory.instance.objectNode();
    }

    boolean negotiate() {
        JsonNode negotiate = header().get("negotiate");
        return negotiate == null || PythonJson.isTruthy(negotiate);
    }

    /** The QEMU command-line arguments the case was recorded with (besides record_qemu.py's base ones). */
    List<String> qemuArgs() {
        List<String> args = new ArrayList<>();
        JsonNode list = header().get("qemu-args");
        if (list != null) {
            list.forEach(a -> args.add(a.asText()));
        }
        return args;
    }

    /** record_qemu.py's {@code hdr.get("drain", 0.3)}: how long to collect trailing events. */
    double drainSeconds() {
        JsonNode drain = header().get("drain");
        return drain != null ? PythonJson.toFloat(drain) : DEFAULT_DRAIN_SECONDS;
    }

    /** record_qemu.py's {@code hdr.get("timeout", 10)}: how long a command may take to answer. */
    double commandTimeoutSeconds() {
        JsonNode timeout = header().get("timeout");
        return timeout != null ? PythonJson.toFloat(timeout) : DEFAULT_TIMEOUT_SECONDS;
    }

    /**
     * The numbered steps: the runner counts every step except {@code runner} lines and bare
     * {@code comment} lines, from 1 (step 0 is its own qmp_capabilities).
     */
    List<JsonNode> numberedSteps() {
        List<JsonNode> numbered = new ArrayList<>();
        for (JsonNode step : steps) {
            if (!isRunner(step) && !isComment(step)) {
                numbered.add(step);
            }
        }
        return numbered;
    }

    /** Step {@code n} (from 1) as written in the case file. */
    Optional<JsonNode> step(int n) {
        List<JsonNode> numbered = numberedSteps();
        return n >= 1 && n <= numbered.size() ? Optional.of(numbered.get(n - 1)) : Optional.empty();
    }

    static boolean isRunner(JsonNode step) {
        return step.isObject() && step.has("runner");
    }

    static boolean isComment(JsonNode step) {
        return step.isObject() && step.has("comment") && step.size() == 1;
    }

    /** Every string in the case file, e.g. to find the socket paths it uses. */
    List<String> strings() {
        List<String> strings = new ArrayList<>();
        steps.forEach(step -> collectStrings(step, strings));
        return strings;
    }

    private static void collectStrings(JsonNode node, List<String> out) {
        if (node.isTextual()) {
            out.add(node.textValue());
        }
        node.forEach(child -> collectStrings(child, out));
    }
}
