package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares vnetd's record of a step with QEMU's by meaning where equality cannot hold: vnetd's API
 * level is newer than 7.2 and it serves only the networking API and the control commands, so its
 * {@code query-commands} and {@code query-qmp-schema} answers are a different list by design.
 */
interface RecordCheck {

    int SHOWN_PROBLEMS = 40;

    /** What is wrong with {@code actual}, given QEMU's {@code expected}; empty when it passes. */
    List<String> problems(ObjectNode expected, ObjectNode actual);

    /** The differences this check tolerates, for the list of deliberate differences. */
    List<Expectations.Allowance> allowances();

    static RecordCheck of(JsonNode spec) {
        return switch (spec.path("kind").asText()) {
            case "command-list" -> new CommandList(strings(spec, "required"),
                    Expectations.Allowance.listIn(spec, "extensions"));
            case "schema" -> new Schema(strings(spec, "required-commands"), strings(spec, "required-events"),
                    Expectations.Allowance.listIn(spec, "differences"));
            default -> throw new IllegalArgumentException("unknown check kind: " + spec);
        };
    }

    private static List<String> strings(JsonNode spec, String member) {
        List<String> values = new ArrayList<>();
        spec.path(member).forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The record apart from {@code response.return} must equal QEMU's: same id, no error, no events. */
    private static void sameApartFromReturn(ObjectNode expected, ObjectNode actual, List<String> problems) {
        ObjectNode e = expected.deepCopy();
        ObjectNode a = actual.deepCopy();
        for (ObjectNode rec : List.of(e, a)) {
            if (rec.get("response") instanceof ObjectNode response) {
                response.remove("return");
            }
        }
        JsonTrees.differences(e, a, SHOWN_PROBLEMS).forEach(d -> problems.add("outside the returned list: " + d));
    }

    private static JsonNode returned(ObjectNode rec) {
        return rec.path("response").path("return");
    }

    /** Every item matched by some allowance, every allowance that must match something matching. */
    private static void allowed(List<String> items, List<Expectations.Allowance> allowances, String what,
                                List<String> problems) {
        Set<Expectations.Allowance> used = new HashSet<>();
        for (String item : items) {
            List<Expectations.Allowance> matching = allowances.stream()
                    .filter(a -> a.pattern().matcher(item).find()).toList();
            if (matching.isEmpty()) {
                problems.add(what + " not listed as a deliberate difference: " + item);
            }
            used.addAll(matching);
        }
        for (Expectations.Allowance a : allowances) {
            if (!used.contains(a) && !a.hostDependent()) {
                problems.add("listed difference no longer occurs (drop it from expectations.json): "
                        + a.pattern() + " (" + a.reason() + ")");
            }
        }
    }

    /**
     * {@code query-commands}: vnetd lists each command once, every command it must serve is listed,
     * and any command QEMU 7.2 does not have is a listed extension.
     */
    record CommandList(List<String> required, List<Expectations.Allowance> allowances) implements RecordCheck {

        @Override
        public List<String> problems(ObjectNode expected, ObjectNode actual) {
            List<String> problems = new ArrayList<>();
            sameApartFromReturn(expected, actual, problems);
            JsonNode list = returned(actual);
            if (!list.isArray()) {
                problems.add("query-commands returned no list: " + JsonTrees.shown(actual.path("response")));
                return problems;
            }
            Set<String> qemu = new HashSet<>();
            returned(expected).forEach(c -> qemu.add(c.path("name").asText()));
            Set<String> names = new HashSet<>();
            List<String> extra = new ArrayList<>();
            for (JsonNode info : list) {
                if (!info.isObject() || info.size() != 1 || !info.path("name").isTextual()) {
                    problems.add("not a CommandInfo {\"name\": str}: " + JsonTrees.shown(info));
                    continue;
                }
                String name = info.get("name").textValue();
                if (!names.add(name)) {
                    problems.add("listed twice: " + name);
                }
                if (!qemu.contains(name)) {
                    extra.add(name);
                }
            }
            required.stream().filter(r -> !names.contains(r)).forEach(r -> problems.add("missing command: " + r));
            allowed(extra, allowances, "a command QEMU 7.2 does not have,", problems);
            return problems;
        }
    }

    /**
     * {@code query-qmp-schema}: a well-formed list with unique names, the commands and events vnetd
     * must serve present, and every command and event vnetd serves shaped as in QEMU 7.2 (compared
     * as {@link SchemaFacts}) except for listed differences.
     */
    record Schema(List<String> requiredCommands, List<String> requiredEvents,
                  List<Expectations.Allowance> allowances) implements RecordCheck {

        @Override
        public List<String> problems(ObjectNode expected, ObjectNode actual) {
            List<String> problems = new ArrayList<>();
            sameApartFromReturn(expected, actual, problems);
            JsonNode list = returned(actual);
            if (!list.isArray()) {
                problems.add("query-qmp-schema returned no list: " + JsonTrees.shown(actual.path("response")));
                return problems;
            }
            Map<String, Integer> seen = new HashMap<>();
            for (JsonNode info : list) {
                if (!info.path("name").isTextual() || !info.path("meta-type").isTextual()) {
                    problems.add("not a SchemaInfo (name and meta-type): " + JsonTrees.shown(info));
                } else if (seen.merge(info.get("name").textValue(), 1, Integer::sum) == 2) {
                    problems.add("name used twice: " + info.get("name").textValue());
                }
            }
            SchemaFacts qemu = new SchemaFacts(returned(expected));
            SchemaFacts vnetd = new SchemaFacts(list);
            Map<String, String> served = vnetd.commandsAndEvents();
            Map<String, String> qemuServed = qemu.commandsAndEvents();
            requiredCommands.stream().filter(c -> !"command".equals(served.get(c)))
                    .forEach(c -> problems.add("missing command: " + c));
            requiredEvents.stream().filter(e -> !"event".equals(served.get(e)))
                    .forEach(e -> problems.add("missing event: " + e));
            List<String> differences = new ArrayList<>();
            served.keySet().stream().sorted().forEach(name -> {
                if (!qemuServed.containsKey(name)) {
                    differences.add("+" + served.get(name) + " " + name);
                    return;
                }
                Set<String> theirs = qemu.facts(name);
                Set<String> ours = vnetd.facts(name);
                ours.stream().filter(f -> !theirs.contains(f)).forEach(f -> differences.add("+" + f));
                theirs.stream().filter(f -> !ours.contains(f)).forEach(f -> differences.add("-" + f));
            });
            allowed(differences, allowances, "a difference from QEMU 7.2 (+ vnetd only, - QEMU only)", problems);
            return problems;
        }
    }
}
