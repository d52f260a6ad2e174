package io.vnetd.it.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prometheus' text exposition format (version 0.0.4), parsed strictly: every line a {@code # HELP}, a
 * {@code # TYPE} or a sample; every sample of a family whose {@code # TYPE} came before it, named as that type
 * allows ({@code _total} for a counter, whether its family is declared with it or without; {@code _bucket}, {@code _count}, {@code _sum} for a histogram); label
 * values with only the escapes the format has; no series twice. Anything else fails the parse with the line.
 */
final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped", "info",
            "stateset", "unknown");

    /** One sample: its full name, its labels in the order written, its value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final Map<String, String> types = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private PrometheusText() {
    }

    static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line end");
        }
        Set<String> helped = new HashSet<>();
        Set<String> series = new HashSet<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                if (number == text.split("\n", -1).length) {
                    continue; // after the last line end
                }
                throw error(number, line, "an empty line");
            }
            try {
                if (line.startsWith("# HELP ")) {
                    String name = line.substring(7).split(" ", 2)[0];
                    requireName(name);
                    if (!helped.add(name)) {
                        throw new IllegalArgumentException("a second HELP for " + name);
                    }
                } else if (line.startsWith("# TYPE ")) {
                    String[] parts = line.substring(7).split(" ");
                    if (parts.length != 2 || !TYPES.contains(parts[1])) {
                        throw new IllegalArgumentException("a TYPE line is 'name type'");
                    }
                    requireName(parts[0]);
                    if (parsed.types.putIfAbsent(parts[0], parts[1]) != null) {
                        throw new IllegalArgumentException("a second TYPE for " + parts[0]);
                    }
                } else if (line.startsWith("#")) {
                    throw new IllegalArgumentException("a comment the format does not have");
                } else {
                    Sample sample = sample(line);
                    parsed.family(sample.name());
                    if (!series.add(sample.name() + sample.labels())) {
                        throw new IllegalArgumentException("the same series twice");
                    }
                    parsed.samples.add(sample);
                }
            } catch (IllegalArgumentException e) {
                throw error(number, line, e.getMessage());
            }
        }
        return parsed;
    }

    private static IllegalArgumentException error(int number, String line, String why) {
        return new IllegalArgumentException("exposition line " + number + ": " + why + ": " + line);
    }

    private static void requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name: '" + name + "'");
        }
    }

    /** The family a sample belongs to, as its declared type names its samples. */
    private String family(String sample) {
        String own = types.get(sample);
        // A counter's family may be declared with its _total, as version 0.0.4 writers do.
        if (own != null && !own.equals("histogram") && !own.equals("summary")
                && (!own.equals("counter") || sample.endsWith("_total"))) {
            return sample;
        }
        for (String suffix : List.of("_total", "_created", "_bucket", "_count", "_sum", "_info")) {
            if (sample.endsWith(suffix)) {
                String family = sample.substring(0, sample.length() - suffix.length());
                String type = types.get(family);
                if (type != null && allows(type, suffix)) {
                    return family;
                }
            }
        }
        throw new IllegalArgumentException("a sample of no family declared before it");
    }

    private static boolean allows(String type, String suffix) {
        return switch (type) {
            case "counter" -> suffix.equals("_total") || suffix.equals("_created");
            case "histogram" -> suffix.equals("_bucket") || suffix.equals("_count") || suffix.equals("_sum")
                    || suffix.equals("_created");
            case "summary" -> suffix.equals("_count") || suffix.equals("_sum") || suffix.equals("_created");
            case "info" -> suffix.equals("_info");
            default -> false;
        };
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            rest = labels(line, brace + 1, labels);
        } else {
            if (space < 0) {
                throw new IllegalArgumentException("a sample without a value");
            }
            name = line.substring(0, space);
            rest = space;
        }
        requireName(name);
        if (rest >= line.length() || line.charAt(rest) != ' ') {
            throw new IllegalArgumentException("no space before the value");
        }
        String[] value = line.substring(rest + 1).split(" ");
        if (value.length > 2 || value.length == 2 && !value[1].matches("-?[0-9]+")) {
            throw new IllegalArgumentException("a value and an optional timestamp, not '" + line.substring(rest + 1) + "'");
        }
        return new Sample(name, labels, value(value[0]));
    }

    /** Reads {@code name="value",...}} from {@code at}; returns where the closing brace's successor is. */
    private static int labels(String line, int at, Map<String, String> labels) {
        int i = at;
        while (true) {
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            int equals = line.indexOf('=', i);
            if (equals < 0) {
                throw new IllegalArgumentException("a label without '='");
            }
            String label = line.substring(i, equals);
            if (!LABEL_NAME.matcher(label).matches()) {
                throw new IllegalArgumentException("not a label name: '" + label + "'");
            }
            if (equals + 1 >= line.length() || line.charAt(equals + 1) != '"') {
                throw new IllegalArgumentException("a label value is quoted");
            }
            StringBuilder value = new StringBuilder();
            int j = equals + 2;
            for (; ; j++) {
                if (j >= line.length()) {
                    throw new IllegalArgumentException("an unterminated label value");
                }
                char c = line.charAt(j);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    char escaped = j + 1 < line.length() ? line.charAt(++j) : 0;
                    value.append(switch (escaped) {
                        case '\\' -> '\\';
                        case '"' -> '"';
                        case 'n' -> '\n';
                        default -> throw new IllegalArgumentException("an escape the format does not have");
                    });
                } else {
                    value.append(c);
                }
            }
            if (labels.put(label, value.toString()) != null) {
                throw new IllegalArgumentException("label " + label + " twice");
            }
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                throw new IllegalArgumentException("labels are separated by ',' and closed by '}'");
            }
        }
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                if (!text.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException("not a value: '" + text + "'");
                }
                yield Double.parseDouble(text);
            }
        };
    }

    /** The declared type of family {@code name}. */
    Optional<String> type(String name) {
        return Optional.ofNullable(types.get(name));
    }

    /** The samples named {@code name} (a full name, {@code _total} and all). */
    List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The value of the one sample named {@code name} whose labels include all of {@code labels}. */
    double value(String name, Map<String, String> labels) {
        List<Sample> matching = samples(name).stream()
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .toList();
        if (matching.size() != 1) {
            throw new AssertionError(matching.size() + " samples " + name + labels + " in the exposition: " + matching);
        }
        return matching.getFirst().value();
    }

    /** Like {@link #value}, or 0 when no sample matches (a counter not counted yet). */
    double valueOrZero(String name, Map<String, String> labels) {
        return samples(name).stream().anyMatch(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                ? value(name, labels) : 0;
    }

    /** The label sets of {@code name}'s samples, for messages. */
    Map<Map<String, String>, Double> series(String name) {
        Map<Map<String, String>, Double> series = new HashMap<>();
        samples(name).forEach(s -> series.put(s.labels(), s.value()));
        return series;
    }
}
