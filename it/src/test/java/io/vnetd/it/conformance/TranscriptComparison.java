package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Lines vnetd's normalized transcript up with the expected one (QEMU 7.2's, with the case's listed
 * differences applied) record by record, and says in words where they part.
 */
final class TranscriptComparison {

    private static final int SHOWN_DIFFERENCES = 12;

    /** One record that is not as expected. */
    record Mismatch(String key, String request, Optional<String> overrideReason, List<String> details) {

        String describe() {
            StringBuilder out = new StringBuilder(key);
            if (!request.isEmpty()) {
                out.append(" (").append(request).append(')');
            }
            out.append('\n');
            overrideReason.ifPresent(r -> out.append("    vnetd is expected to differ from QEMU here: ").append(r)
                    .append("\n    (if vnetd now answers as QEMU did, drop this override from expectations.json)\n"));
            details.forEach(d -> out.append("    ").append(d).append('\n'));
            return out.toString();
        }
    }

    private TranscriptComparison() {
    }

    /**
     * The expected transcript: QEMU's normalized records with the overrides of {@code expectation}
     * applied, normalized again for comparison (normalizing is idempotent) so overrides may be
     * written plainly.
     */
    static List<ObjectNode> expected(ConformanceCase c, Expectations.CaseExpectation expectation, List<ObjectNode> qemu) {
        List<ObjectNode> records = new ArrayList<>(qemu);
        for (Expectations.StepOverride o : expectation.steps().values()) {
            int at = indexOf(records, o.key());
            if (o.absent()) {
                if (at < 0) {
                    throw new IllegalArgumentException(c.name() + ": " + o.key() + " is marked absent, but QEMU has no such record");
                }
                records.remove(at);
                continue;
            }
            if (o.check().isPresent()) {
                if (at < 0) {
                    throw new IllegalArgumentException(c.name() + ": " + o.key() + " has a check, but QEMU has no such record");
                }
                continue;
            }
            ObjectNode replacement = o.record().isPresent()
                    ? (ObjectNode) o.record().get().deepCopy()
                    : changed(at >= 0 ? records.get(at) : implied(c, o.key()), o);
            if (at >= 0) {
                records.set(at, replacement);
            } else {
                records.add(insertionPoint(records, o.key()), replacement);
            }
        }
        return Normalizer.normalizeForComparison(records);
    }

    /** Compares {@code actual} with {@code expected}; empty when vnetd behaved as expected. */
    static List<Mismatch> compare(Expectations.CaseExpectation expectation, List<ObjectNode> expected,
                                  List<ObjectNode> actual) {
        Map<String, ObjectNode> want = Transcript.byKey(expected);
        Map<String, ObjectNode> got = Transcript.byKey(actual);
        Map<String, RecordCheck> checks = new HashMap<>();
        expectation.steps().values().forEach(o -> o.check().ifPresent(spec -> checks.put(o.key(), RecordCheck.of(spec))));
        Set<String> windowed = new LinkedHashSet<>();
        expectation.eventWindows().forEach(w -> w.steps().forEach(s -> windowed.add(Transcript.stepKey(s))));

        Set<String> keys = new LinkedHashSet<>(want.keySet());
        keys.addAll(got.keySet());
        List<Mismatch> mismatches = new ArrayList<>();
        for (String key : keys) {
            ObjectNode e = want.get(key);
            ObjectNode a = got.get(key);
            Optional<String> reason = Optional.ofNullable(expectation.steps().get(key))
                    .filter(o -> o.check().isEmpty())
                    .map(Expectations.StepOverride::reason);
            String request = requestOf(e != null ? e : a);
            List<String> details = new ArrayList<>();
            if (e == null) {
                details.add("vnetd sent a record QEMU did not: " + JsonTrees.shown(a));
            } else if (a == null) {
                details.add("missing; expected " + JsonTrees.shown(e));
            } else if (checks.containsKey(key)) {
                details.addAll(checks.get(key).problems(e, a));
            } else {
                boolean inWindow = windowed.contains(key);
                List<String> differences = JsonTrees.differences(
                        inWindow ? withoutEvents(e) : e, inWindow ? withoutEvents(a) : a, SHOWN_DIFFERENCES);
                if (!differences.isEmpty()) {
                    details.addAll(differences);
                    details.add("expected: " + JsonTrees.shown(e));
                    details.add("actual:   " + JsonTrees.shown(a));
                }
            }
            if (!details.isEmpty()) {
                mismatches.add(new Mismatch(key, request, reason, details));
            }
        }
        for (Expectations.EventWindow window : expectation.eventWindows()) {
            JsonNode wantEvents = eventsOf(want, window);
            JsonNode gotEvents = eventsOf(got, window);
            List<String> differences = JsonTrees.differences(wantEvents, gotEvents, SHOWN_DIFFERENCES);
            if (!differences.isEmpty()) {
                differences.add("expected: " + JsonTrees.shown(wantEvents));
                differences.add("actual:   " + JsonTrees.shown(gotEvents));
                mismatches.add(new Mismatch("events of steps " + window.steps(), "", Optional.of(window.reason()), differences));
            }
        }
        return mismatches;
    }

    private static ObjectNode changed(ObjectNode base, Expectations.StepOverride o) {
        ObjectNode rec = base.deepCopy();
        o.response().ifPresent(response -> {
            rec.set("response", response.deepCopy());
            // vnetd answered where QEMU died or stayed silent.
            rec.remove("closed");
            rec.remove("timed_out");
        });
        o.events().ifPresent(events -> rec.set("events", events.deepCopy()));
        if (o.patch().isPresent()) {
            return (ObjectNode) JsonPatch.apply(rec, o.patch().get());
        }
        return rec;
    }

    /** The record the case file implies for a command step QEMU never reached (it had died). */
    private static ObjectNode implied(ConformanceCase c, String key) {
        if (!key.startsWith("step ")) {
            throw new IllegalArgumentException(c.name() + ": QEMU has no '" + key + "' record; give the whole record");
        }
        int n = Integer.parseInt(key.substring("step ".length()));
        JsonNode step = c.step(n).orElseThrow(() -> new IllegalArgumentException(c.name() + " has no step " + n));
        ObjectNode rec = JsonNodeFactory.instance.objectNode();
        rec.put("step", n);
        rec.set("request", step.deepCopy());
        rec.putNull("response");
        rec.set("events", JsonNodeFactory.instance.arrayNode());
        return rec;
    }

    private static int indexOf(List<ObjectNode> records, String key) {
        List<String> keys = new ArrayList<>(Transcript.byKey(records).keySet());
        return keys.indexOf(key);
    }

    /** After the last step record numbered below the new one, or after the greeting. */
    private static int insertionPoint(List<ObjectNode> records, String key) {
        int step = key.startsWith("step ") ? Integer.parseInt(key.substring("step ".length())) : Integer.MAX_VALUE;
        int at = 0;
        for (int i = 0; i < records.size(); i++) {
            ObjectNode rec = records.get(i);
            if (rec.has("greeting") || rec.has("comment") || rec.has("step") && rec.get("step").asInt() < step) {
                at = i + 1;
            }
        }
        return at;
    }

    /** A record of a window without the events the window compares ({@code events}, a wait's {@code event}). */
    private static JsonNode withoutEvents(ObjectNode rec) {
        ObjectNode copy = rec.deepCopy();
        copy.remove("events");
        if (copy.has("wait-event")) {
            copy.remove("event");
        }
        return copy;
    }

    /**
     * The events a window's records saw, in arrival order: each record's reported {@code events},
     * then the event its wait caught, unless that one was reported by an earlier record of the
     * window already (a wait also catches an event that arrived before it): every event counts once.
     */
    private static JsonNode eventsOf(Map<String, ObjectNode> records, Expectations.EventWindow window) {
        List<JsonNode> events = new ArrayList<>();
        List<JsonNode> reportedNotCaught = new ArrayList<>();
        for (int step : window.steps()) {
            ObjectNode rec = records.get(Transcript.stepKey(step));
            if (rec == null) {
                continue;
            }
            rec.path("events").forEach(event -> {
                events.add(event);
                reportedNotCaught.add(event);
            });
            JsonNode caught = rec.path("event");
            if (rec.has("wait-event") && caught.isObject() && !reportedNotCaught.remove(caught)) {
                events.add(caught);
            }
        }
        if (window.unordered()) {
            events.sort(Comparator.comparing(JsonNode::toString));
        }
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        events.forEach(array::add);
        return array;
    }

    private static String requestOf(ObjectNode rec) {
        for (String kind : List.of("request", "raw", "raw-hex", "send", "wait-event", "sleep")) {
            if (rec.has(kind)) {
                return kind + " " + JsonTrees.shown(rec.get(kind));
            }
        }
        return "";
    }

    /** Every mismatch, one block each, for an assertion message. */
    static String report(List<Mismatch> mismatches) {
        StringBuilder out = new StringBuilder();
        mismatches.forEach(m -> out.append(m.describe()));
        return out.toString();
    }
}
