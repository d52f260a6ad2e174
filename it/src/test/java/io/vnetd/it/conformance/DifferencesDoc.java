package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of {@code docs/conformance.md} that lists every case's classification and every
 * deliberate difference, rendered from {@code expectations.json} so the two cannot drift apart.
 */
final class DifferencesDoc {

    static final String BEGIN = "<!-- BEGIN generated from it/src/test/resources/conformance/expectations.json -->";
    static final String END = "<!-- END generated -->";

    private DifferencesDoc() {
    }

    /** {@code docs/conformance.md}, found from the it module's directory. */
    static Path file() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
                .resolveSibling("docs").resolve("conformance.md");
    }

    /** The generated section of {@code doc}, markers included; empty when the markers are missing. */
    static String section(String doc) {
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        return begin < 0 || end < begin ? "" : doc.substring(begin, end + END.length());
    }

    /** {@code doc} with its generated section replaced by {@code section}. */
    static String withSection(String doc, String section) {
        String old = section(doc);
        if (old.isEmpty()) {
            throw new IllegalArgumentException("docs/conformance.md has no generated section (" + BEGIN + " ... " + END + ")");
        }
        return doc.replace(old, section);
    }

    static void rewrite(Path doc, String section) throws IOException {
        Files.writeString(doc, withSection(Files.readString(doc, StandardCharsets.UTF_8), section), StandardCharsets.UTF_8);
    }

    static String render(ConformanceSuite suite) throws IOException {
        Expectations expectations = suite.expectations();
        StringBuilder out = new StringBuilder(BEGIN).append("\n\n");
        long match = count(expectations, Expectations.Status.MATCH);
        long differs = count(expectations, Expectations.Status.DIFFERS);
        long pending = count(expectations, Expectations.Status.PENDING);
        out.append("%d cases: %d match, %d differ, %d pending.%n%n".formatted(
                expectations.cases().size(), match, differs, pending));
        out.append("| case | expectation |\n|---|---|\n");
        for (Expectations.CaseExpectation e : expectations.cases().values()) {
            out.append("| `").append(e.name()).append("` | ").append(e.status().name().toLowerCase(Locale.ROOT));
            if (e.status() != Expectations.Status.DIFFERS && !e.reason().isBlank()) {
                // A differs case's reasons are in its own section below.
                out.append(": ").append(cell(e.reason()));
            }
            out.append(" |\n");
        }
        out.append("\n### Deliberate differences\n");
        for (Expectations.CaseExpectation e : expectations.cases().values()) {
            if (e.status() != Expectations.Status.DIFFERS) {
                continue;
            }
            ConformanceCase c = suite.testCase(e.name());
            out.append("\n#### `").append(e.name()).append("`\n\n");
            if (!e.reason().isBlank()) {
                out.append(e.reason()).append("\n\n");
            }
            for (Map.Entry<String, Expectations.StepOverride> s : e.steps().entrySet()) {
                Expectations.StepOverride o = s.getValue();
                out.append("- ").append(describeKey(c, s.getKey())).append(": ").append(o.reason()).append('\n');
                o.check().ifPresent(check -> {
                    RecordCheck parsed = RecordCheck.of(check);
                    for (Expectations.Allowance a : parsed.allowances()) {
                        out.append("  - `").append(a.pattern().pattern()).append("`")
                                .append(a.hostDependent() ? " (where the host has it)" : "")
                                .append(": ").append(a.reason()).append('\n');
                    }
                });
            }
            for (Expectations.EventWindow w : e.eventWindows()) {
                out.append("- events of steps ").append(w.steps()).append(" compared together")
                        .append(w.unordered() ? ", in any order: " : ": ").append(w.reason()).append('\n');
            }
        }
        return out.append('\n').append(END).toString();
    }

    private static long count(Expectations expectations, Expectations.Status status) {
        return expectations.cases().values().stream().filter(e -> e.status() == status).count();
    }

    /** {@code step 3 (netdev_add other-type)}: the step and what it sends. */
    private static String describeKey(ConformanceCase c, String key) {
        if (!key.startsWith("step ")) {
            return "the `" + key + "` record";
        }
        int n = Integer.parseInt(key.substring("step ".length()));
        return c.step(n).map(step -> key + " (" + summary(step) + ")").orElse(key);
    }

    private static String summary(JsonNode step) {
        for (String kind : List.of("execute", "exec-oob")) {
            if (step.path(kind).isTextual()) {
                String id = step.has("id") ? " `" + step.get("id").asText() + "`" : "";
                return "`" + step.get(kind).textValue() + "`" + id;
            }
        }
        for (String kind : List.of("wait-event", "sleep", "raw", "raw-hex", "send")) {
            if (step.has(kind)) {
                return kind;
            }
        }
        return "a command";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
