package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.Measurement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The scale benchmark's summary: one table per group of figures, a row per size and server, as Markdown. */
final class ScaleReport {

    /** Failsafe runs the tests in the it module's directory. */
    private static final Path FILE = Path.of("target", "scale-bench.txt");
    private static final String NONE = "n/a";

    private ScaleReport() {
    }

    /** Prints the summary and writes it to it/target/scale-bench.txt. */
    static void print(List<SizeFigures> figures, String heading) throws IOException {
        String text = render(figures, heading);
        System.out.println(text);
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, text);
    }

    private static String render(List<SizeFigures> figures, String heading) {
        List<String> out = new ArrayList<>(List.of("", heading, ""));
        out.add("Memory after a full GC: resident set empty, then added per client of each kind (RSS; heap in use; "
                + "RSS per client of the second half of the build), and the rate each kind was built at");
        out.add("");
        out.add("| size | server | RSS empty MB | RSS built MB | hubport KB | dgram KB | NIC KB | hubports built/s "
                + "| dgram built/s | NICs built/s |");
        out.add("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (SizeFigures f : figures) {
            out.add(f.skipped() != null ? skippedRow(f, 8) : row(f.size(), f.target(), megabytes(f.empty()),
                    megabytes(f.growth().getLast().after()),
                    memory(f, Population.HUBPORTS), memory(f, Population.DGRAMS), memory(f, Population.NICS),
                    built(f, Population.HUBPORTS), built(f, Population.DGRAMS), built(f, Population.NICS)));
        }
        out.add("");
        out.add(String.format("Commands: %,d of each from %d clients, one in flight each: rate, p99 latency, "
                + "server CPU per command; and the most cores the rest of the machine used in any of them",
                ScaleSettings.commands(), ScaleSettings.clients()));
        out.add("");
        out.add("| size | server | netdev_add | set_link | device_add | netdev_del | others |");
        out.add("|---:|---|---:|---:|---:|---:|---:|");
        for (SizeFigures f : figures) {
            out.add(f.skipped() != null ? skippedRow(f, 5) : row(f.size(), f.target(),
                    command(f, CommandRound.NETDEV_ADD), command(f, CommandRound.SET_LINK),
                    command(f, CommandRound.DEVICE_ADD), command(f, CommandRound.NETDEV_DEL), others(f)));
        }
        out.add("");
        out.add("Listings: one answer, from sending the command to its last byte (median of 3), and its size");
        out.add("");
        out.add("| size | server | info network | __io.vnetd_query-net-clients |");
        out.add("|---:|---|---:|---:|");
        for (SizeFigures f : figures) {
            out.add(f.skipped() != null ? skippedRow(f, 2) : row(f.size(), f.target(),
                    listing(f, ScaleBenchIT.INFO_NETWORK), listing(f, ScaleBenchIT.NET_CLIENTS)));
        }
        out.add("");
        out.add("Restart after kill -9, from the start of the process (s)");
        out.add("");
        out.add("| size | server | start | to the ready line | its CPU by then | to the first answer "
                + "| to every client listed |");
        out.add("|---:|---|---|---:|---:|---:|---:|");
        for (SizeFigures f : figures) {
            f.restarts().forEach(r -> out.add(row(f.size(), f.target(), r.start(), seconds(r.ready()),
                    seconds(r.cpuAtReady()), seconds(r.firstAnswer()), seconds(r.allClients()))));
        }
        out.add("");
        out.add("Cost per command from one size to the next (rate, p99, server CPU per command: ratios, 1.00x = flat)");
        out.add("");
        out.addAll(flatness(figures));
        return String.join("\n", out) + "\n";
    }

    private static String row(int size, String target, String... cells) {
        return String.format("| %,d | %s | %s |", size, target, String.join(" | ", cells));
    }

    private static String skippedRow(SizeFigures f, int cells) {
        List<String> all = new ArrayList<>(List.of(f.skipped()));
        while (all.size() < cells) {
            all.add("");
        }
        return row(f.size(), f.target(), all.toArray(String[]::new));
    }

    private static String megabytes(Footprint footprint) {
        return String.format("%,.0f", footprint.rssKb() / 1024.0);
    }

    private static String memory(SizeFigures f, String kind) {
        return f.growth(kind).map(g -> String.format("%.2f; %s; %.2f", g.rssKbEach(),
                Double.isNaN(g.heapKbEach()) ? NONE : String.format("%.2f", g.heapKbEach()), g.rssKbEachMore()))
                .orElse(NONE);
    }

    private static String built(SizeFigures f, String kind) {
        return f.growth(kind).map(g -> String.format("%,.0f", g.perSecond())).orElse(NONE);
    }

    private static String command(SizeFigures f, String workload) {
        return f.command(workload).map(m -> String.format("%,.0f/s, %.2f ms, %,.0f µs", m.perSecond(), m.p99() / 1e6,
                cpuPerCommand(m))).orElse(NONE);
    }

    /** Interference: the other work on the shared machine, in cores, in the most disturbed of the size's runs. */
    private static String others(SizeFigures f) {
        return String.format("%.2f", f.commands().stream()
                .mapToDouble(m -> m.cpu().others().toNanos() / 1e9 / m.seconds()).max().orElse(0));
    }

    private static double cpuPerCommand(Measurement m) {
        return m.cpu().server().toNanos() / 1e3 / m.commands();
    }

    private static String listing(SizeFigures f, String command) {
        return f.listing(command).map(AnswerTime::describe).orElse(NONE);
    }

    private static String seconds(Duration d) {
        return String.format("%.2f", Restart.seconds(d));
    }

    /** For each server and command, its figures at each size against the size before. */
    private static List<String> flatness(List<SizeFigures> figures) {
        List<String> lines = new ArrayList<>();
        for (String target : figures.stream().map(SizeFigures::target).distinct().toList()) {
            List<SizeFigures> sizes = figures.stream().filter(f -> f.target().equals(target) && f.skipped() == null)
                    .toList();
            for (String workload : List.of(CommandRound.NETDEV_ADD, CommandRound.SET_LINK, CommandRound.DEVICE_ADD,
                    CommandRound.NETDEV_DEL)) {
                List<String> steps = new ArrayList<>();
                for (int i = 1; i < sizes.size(); i++) {
                    Optional<Measurement> before = sizes.get(i - 1).command(workload);
                    Optional<Measurement> after = sizes.get(i).command(workload);
                    if (before.isPresent() && after.isPresent()) {
                        steps.add(String.format("%,d -> %,d: rate %.2fx, p99 %.2fx, CPU %.2fx", sizes.get(i - 1).size(),
                                sizes.get(i).size(), ratio(before.get(), after.get(), Measurement::perSecond),
                                ratio(before.get(), after.get(), m -> (double) m.p99()),
                                ratio(before.get(), after.get(), ScaleReport::cpuPerCommand)));
                    }
                }
                if (!steps.isEmpty()) {
                    lines.add(String.format("- %s %s: %s", target, workload, String.join("; ", steps)));
                }
            }
        }
        return lines;
    }

    private static double ratio(Measurement before, Measurement after, Function<Measurement, Double> figure) {
        return figure.apply(after) / figure.apply(before);
    }
}
