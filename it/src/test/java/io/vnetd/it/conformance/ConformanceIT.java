package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every conformance case against a fresh vnetd, one at a time, its normalized transcript compared
 * with QEMU 7.2's as {@code expectations.json} says: equal ({@code match}), equal except the listed
 * steps ({@code differs}), or skipped with the reason ({@code pending}).
 *
 * <p>Transcripts are written to {@code target/conformance/vnetd/} and the expected ones to
 * {@code target/conformance/expected/}, in qmp_run.py's format, for {@code diff -u}. With
 * {@code -Dconformance.runPending=true} pending cases run too: they stay skipped, with how they
 * differ from QEMU in the message, unless they match it outright, which fails so they get promoted.
 */
class ConformanceIT {

    /** record_qemu.py's private namespace: only {@code lo}, up, with multicast routed on it. */
    private static final List<String> PRIVATE_NETNS = List.of("unshare", "--net", "sh", "-c",
            "ip link set lo up && ip route add 224.0.0.0/4 dev lo && exec \"$0\" \"$@\"");

    @TempDir
    static Path dataDirs;

    @TestFactory
    Stream<DynamicTest> cases() throws Exception {
        ConformanceSuite suite = ConformanceSuite.load();
        return suite.cases().stream().map(c -> dynamicTest(c.name(), () -> run(suite, c)));
    }

    private static void run(ConformanceSuite suite, ConformanceCase c) throws Exception {
        Expectations.CaseExpectation expectation = suite.expectations().of(c.name()).orElseThrow(() ->
                new AssertionError("case " + c.name() + " has no entry in expectations.json: add one"));
        boolean pending = expectation.status() == Expectations.Status.PENDING;
        if (pending && !Boolean.getBoolean("conformance.runPending")) {
            Assumptions.abort("pending: " + expectation.reason());
        }
        List<ObjectNode> expected = TranscriptComparison.expected(c, expectation, suite.qemuTranscript(c.name()));
        List<String> args = QemuArgs.forVnetd(c.qemuArgs());

        if (expectation.privateNetns() && !PrivateNetns.AVAILABLE) {
            Assumptions.abort("needs a private network namespace (root, unshare, iproute2), as QEMU had when recorded");
        }
        List<String> wrapper = expectation.privateNetns() ? PRIVATE_NETNS : List.of();

        List<ObjectNode> actual;
        ConformanceSuite.clearScratchPaths(c);
        try (VnetdProcess daemon = VnetdProcess.startWrapped(wrapper, Files.createTempDirectory(dataDirs, "vnetd"),
                args.toArray(String[]::new))) {
            actual = Normalizer.normalizeForComparison(QmpCaseRunner.run(daemon.qmpSocket(), c));
            boolean alive = ProcessHandle.of(daemon.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                fail("vnetd exited during case " + c.name() + "; stderr:\n" + daemon.stderr());
            }
        } finally {
            ConformanceSuite.clearScratchPaths(c);
        }

        Path out = Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("conformance");
        Path actualFile = out.resolve("vnetd").resolve(c.name() + ".norm.jsonl");
        Path expectedFile = out.resolve("expected").resolve(c.name() + ".norm.jsonl");
        Transcript.write(actualFile, actual);
        Transcript.write(expectedFile, expected);

        List<TranscriptComparison.Mismatch> mismatches = TranscriptComparison.compare(expectation, expected, actual);
        if (pending) {
            // Run on request only, to see how far a pending case is from QEMU's answers.
            if (mismatches.isEmpty()) {
                fail("case " + c.name() + " is pending (" + expectation.reason() + ") but now matches QEMU 7.2:"
                        + " mark it match in expectations.json");
            }
            Assumptions.abort("pending: " + expectation.reason() + "; " + mismatches.size() + " record(s) differ from QEMU 7.2:\n"
                    + TranscriptComparison.report(mismatches));
        }
        if (!mismatches.isEmpty()) {
            fail("case " + c.name() + " (" + expectation.status().name().toLowerCase(Locale.ROOT) + "): "
                    + mismatches.size() + " record(s) not as expected; vnetd started with " + args + "\n"
                    + "  diff -u " + expectedFile + " " + actualFile + "\n\n"
                    + TranscriptComparison.report(mismatches));
        }
    }

    /** Whether this process can run a daemon in a namespace of its own. */
    private static final class PrivateNetns {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            try {
                Process p = new ProcessBuilder("unshare", "--net", "ip", "link", "set", "lo", "up")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
