package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The project's copy of the conformance material ({@code it/src/test/resources/conformance}): the
 * cases, QEMU 7.2's normalized transcripts of them, and the expectations.
 */
final class ConformanceSuite {

    /** Where cases put their UNIX sockets (as record_qemu.py's scratch directory). */
    static final Path SCRATCH = Path.of("/tmp/qo");

    private final Path dir;
    private final Expectations expectations;

    private ConformanceSuite(Path dir, Expectations expectations) {
        this.dir = dir;
        this.expectations = expectations;
    }

    /** From {@code -Dvnetd.conformance.dir} (set by the failsafe configuration), else from the test classpath. */
    static ConformanceSuite load() throws IOException {
        String configured = System.getProperty("vnetd.conformance.dir");
        Path dir = configured != null ? Path.of(configured) : classpathDirectory();
        return new ConformanceSuite(dir, Expectations.load(dir.resolve("expectations.json")));
    }

    private static Path classpathDirectory() {
        URL expectations = ConformanceSuite.class.getResource("/conformance/expectations.json");
        if (expectations == null) {
            throw new IllegalStateException("conformance/expectations.json is not on the test classpath");
        }
        try {
            return Path.of(expectations.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Path directory() {
        return dir;
    }

    Expectations expectations() {
        return expectations;
    }

    /** Every case file, by name. */
    List<ConformanceCase> cases() throws IOException {
        List<ConformanceCase> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("cases"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                cases.add(ConformanceCase.load(file));
            }
        }
        return cases;
    }

    ConformanceCase testCase(String name) throws IOException {
        return ConformanceCase.load(dir.resolve("cases").resolve(name + ".jsonl"));
    }

    /** QEMU 7.2's normalized transcript of the case. */
    List<ObjectNode> qemuTranscript(String caseName) throws IOException {
        return Transcript.read(qemuTranscriptFile(caseName));
    }

    Path qemuTranscriptFile(String caseName) {
        return dir.resolve("qemu-7.2").resolve(caseName + ".norm.jsonl");
    }

    /**
     * Makes {@link #SCRATCH} and removes the paths under it that the case names (sockets a previous
     * run may have left), and nothing else: other tests and people may use the directory too.
     */
    static void clearScratchPaths(ConformanceCase c) throws IOException {
        Files.createDirectories(SCRATCH);
        for (Path path : scratchPaths(c)) {
            if (!Files.isDirectory(path)) {
                Files.deleteIfExists(path);
            }
        }
    }

    static List<Path> scratchPaths(ConformanceCase c) {
        return c.strings().stream()
                .filter(s -> s.startsWith(SCRATCH + "/") && !s.contains(".."))
                .map(Path::of)
                .filter(p -> p.getParent().equals(SCRATCH))
                .distinct()
                .toList();
    }
}
