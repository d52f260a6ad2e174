package io.vnetd.it.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One run of a {@code vnetd} command that exits by itself (e.g. {@code vnetd journal ...}), as a user's shell runs it. */
public record VnetdCommand(int status, String out, String err) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SECONDS = 120;

    /** Runs {@code vnetd ARGS...} to its end (at most two minutes). */
    public static VnetdCommand run(String... args) throws Exception {
        return run(Map.of(), null, args);
    }

    /**
     * Runs {@code vnetd ARGS...} to its end (at most two minutes) with {@code environment} added to the test's own,
     * and {@code input} as its standard input (then closed) unless it is null.
     */
    public static VnetdCommand run(Map<String, String> environment, String input, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(VnetdProcess.command(args));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (input != null) {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        boolean exited = process.waitFor(SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertTrue(exited, "vnetd " + String.join(" ", args) + " should have exited within " + SECONDS + " s");
        return new VnetdCommand(process.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    /** Standard output, one JSON value per line. */
    public List<JsonNode> jsonLines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
