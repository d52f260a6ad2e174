package io.vnetd.ops.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.ops.qmp.QmpClient;
import io.vnetd.ops.qmp.QmpConnectionOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vnetd topology}: the live network of a running daemon (or cluster), as text, DOT or SVG. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = {"Print the live network: hubs with their ports and each port's peer,",
                "clients connected to each other, clients connected to nothing;",
                "links that are down; nodes when clustered."})
public final class TopologyCommand implements Callable<Integer> {

    /** How long Graphviz may take to lay out the picture. */
    private static final long DOT_SECONDS = 120;

    @Mixin
    QmpConnectionOptions connection;

    @Option(names = "--dot", description = "print Graphviz DOT instead of text")
    boolean dot;

    @Option(names = "--svg", paramLabel = "FILE", description = "write an SVG picture to FILE (needs Graphviz's dot)")
    Path svg;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dotProgram = svg == null ? null : dotProgram(System.getenv("PATH")).orElseThrow(() -> new IOException(
                "--svg needs Graphviz's 'dot' program, which is not on PATH (install the graphviz package)"));
        Topology topology;
        try (QmpClient client = connection.connect()) {
            List<NetClient> listing = new ArrayList<>();
            for (JsonNode info : client.query("__io.vnetd_query-net-clients")) {
                listing.add(NetClient.of(info));
            }
            topology = Topology.of(listing);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (svg != null) {
            writeSvg(dotProgram, TopologyDot.render(topology), svg);
        }
        if (dot) {
            out.print(TopologyDot.render(topology));
        } else if (svg == null) {
            out.print(TopologyText.render(topology));
        }
        out.flush();
        return 0;
    }

    /** The first executable {@code dot} on {@code path}. */
    static Optional<Path> dotProgram(String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, "dot");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void writeSvg(Path dotProgram, String graph, Path file) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(dotProgram.toString(), "-Tsvg", "-o", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(graph.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(DOT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(dotProgram + " did not finish within " + DOT_SECONDS + " s");
        }
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new IOException(dotProgram + " -Tsvg failed (exit status " + process.exitValue() + ")"
                    + (errors.isEmpty() ? "" : ": " + errors));
        }
    }
}
