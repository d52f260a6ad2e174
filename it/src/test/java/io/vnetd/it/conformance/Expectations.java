package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code expectations.json}: for every case, whether vnetd must answer exactly as QEMU 7.2 did
 * ({@code match}), as QEMU did except in listed steps, each with vnetd's answer and the reason
 * ({@code differs}), or is not expected to yet ({@code pending}, with the issue that brings it).
 */
record Expectations(Map<String, CaseExpectation> cases) {

    enum Status { MATCH, DIFFERS, PENDING }

    /**
     * @param reason   why the case is pending (required), or a summary of its differences
     * @param steps    per record key ({@code step N}, {@code closed}, {@code final-events}, {@code greeting})
     * @param privateNetns run vnetd in a network namespace of its own with only {@code lo} up, as
     *                     record_qemu.py ran QEMU ({@code "private-netns": true}): for cases that make
     *                     host interfaces (taps), which must neither meet the host's nor stay on it
     */
    record CaseExpectation(String name, Status status, String reason, Map<String, StepOverride> steps,
                           List<EventWindow> eventWindows, boolean privateNetns) {
    }

    /**
     * How vnetd's record for one key differs from QEMU's. {@code response}, {@code events} and
     * {@code patch} change QEMU's record (or, for a step QEMU never reached, the one the case file
     * implies); {@code record} replaces it; {@code absent} says vnetd has no such record; a
     * {@code check} compares the two by meaning instead of equality.
     */
    record StepOverride(String key, String reason, Optional<JsonNode> response, Optional<JsonNode> events,
                    Optional<JsonNode> patch, Optional<JsonNode> record, boolean absent, Optional<JsonNode> check) {
    }

    /**
     * Steps whose events are compared together, because an event may arrive during any of them: the
     * events of their records and the event each {@code wait-event} among them caught. In order,
     * unless {@code unordered}: then in any order, for events of independent clients that no order
     * binds.
     */
    record EventWindow(List<Integer> steps, String reason, boolean unordered) {
    }

    /** A difference a check tolerates: names or facts matching {@code pattern}. */
    record Allowance(Pattern pattern, String reason, boolean hostDependent) {

        static List<Allowance> listIn(JsonNode check, String member) {
            List<Allowance> allowances = new ArrayList<>();
            for (JsonNode a : check.path(member)) {
                allowances.add(new Allowance(Pattern.compile(text(a, "pattern", member)), text(a, "reason", member),
                        a.path("host-dependent").asBoolean(false)));
            }
            return allowances;
        }
    }

    private static final Set<String> OVERRIDE_MEMBERS =
            Set.of("reason", "response", "events", "patch", "record", "absent", "check");
    private static final Set<String> RECORD_KEYS = Set.of("greeting", "closed", "final-events");

    static Expectations load(Path file) throws IOException {
        JsonNode root = PythonJson.parse(Files.readString(file));
        Map<String, CaseExpectation> cases = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.path("cases").properties()) {
            cases.put(entry.getKey(), caseExpectation(entry.getKey(), entry.getValue()));
        }
        return new Expectations(cases);
    }

    Optional<CaseExpectation> of(String caseName) {
        return Optional.ofNullable(cases.get(caseName));
    }

    private static CaseExpectation caseExpectation(String name, JsonNode e) {
        Status status;
        try {
            status = Status.valueOf(e.path("status").asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw invalid(name, "status must be match, differs or pending, not '" + e.path("status").asText() + "'");
        }
        String reason = e.path("reason").asText("");
        Map<String, StepOverride> steps = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> s : e.path("steps").properties()) {
            steps.put(recordKey(name, s.getKey()), override(name, recordKey(name, s.getKey()), s.getValue()));
        }
        List<EventWindow> windows = new ArrayList<>();
        for (JsonNode w : e.path("event-windows")) {
            List<Integer> windowSteps = new ArrayList<>();
            w.path("steps").forEach(n -> windowSteps.add(n.asInt()));
            if (windowSteps.size() < 2 || w.path("reason").asText("").isBlank()) {
                throw invalid(name, "an event window needs two or more steps and a reason: " + w);
            }
            windows.add(new EventWindow(List.copyOf(windowSteps), w.path("reason").asText(),
                    w.path("unordered").asBoolean(false)));
        }
        switch (status) {
            case MATCH -> {
                if (!steps.isEmpty() || !windows.isEmpty()) {
                    throw invalid(name, "a match case has no step overrides or event windows");
                }
            }
            case DIFFERS -> {
                if (steps.isEmpty() && windows.isEmpty()) {
                    throw invalid(name, "a differs case lists the steps that differ");
                }
            }
            case PENDING -> {
                if (reason.isBlank()) {
                    throw invalid(name, "a pending case names the issue or feature that brings it");
                }
            }
        }
        return new CaseExpectation(name, status, reason, steps, List.copyOf(windows),
                e.path("private-netns").asBoolean(false));
    }

    private static String recordKey(String caseName, String key) {
        if (key.matches("0|[1-9][0-9]*")) {
            return Transcript.stepKey(Integer.parseInt(key));
        }
        if (RECORD_KEYS.contains(key)) {
            return key;
        }
        throw invalid(caseName, "'" + key + "' is neither a step number nor one of " + RECORD_KEYS);
    }

    private static StepOverride override(String caseName, String key, JsonNode o) {
        for (Map.Entry<String, JsonNode> field : o.properties()) {
            String member = field.getKey();
            if (!OVERRIDE_MEMBERS.contains(member)) {
                throw invalid(caseName, key + ": unknown member '" + member + "'");
            }
        }
        String reason = o.path("reason").asText("");
        if (reason.isBlank()) {
            throw invalid(caseName, key + ": every difference has a reason");
        }
        boolean absent = o.path("absent").asBoolean(false);
        boolean changes = o.has("response") || o.has("events") || o.has("patch");
        int kinds = (absent ? 1 : 0) + (o.has("record") ? 1 : 0) + (o.has("check") ? 1 : 0) + (changes ? 1 : 0);
        if (kinds != 1) {
            throw invalid(caseName, key + ": give exactly one of absent, record, check, or response/events/patch");
        }
        return new StepOverride(key, reason, Optional.ofNullable(o.get("response")), Optional.ofNullable(o.get("events")),
                Optional.ofNullable(o.get("patch")), Optional.ofNullable(o.get("record")), absent,
                Optional.ofNullable(o.get("check")));
    }

    private static String text(JsonNode node, String member, String where) {
        JsonNode v = node.get(member);
        if (v == null || !v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException(where + ": every entry needs a '" + member + "': " + node);
        }
        return v.textValue();
    }

    private static IllegalArgumentException invalid(String caseName, String problem) {
        return new IllegalArgumentException("expectations.json, case " + caseName + ": " + problem);
    }
}
