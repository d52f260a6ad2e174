package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The suite's own data holds together without a daemon: every case has a QEMU transcript and an
 * expectation, every expectation can be applied, and docs/conformance.md lists what
 * expectations.json says. Run with {@code -Dconformance.updateDocs=true} to rewrite the doc's
 * generated section after changing expectations.json.
 */
class ConformanceSuiteTest {

    private static ConformanceSuite suite;
    private static List<ConformanceCase> cases;

    @BeforeAll
    static void load() throws IOException {
        suite = ConformanceSuite.load();
        cases = suite.cases();
    }

    @Test
    void everyCaseHasAQemuTranscriptAndAnExpectationAndNothingElseIsListed() {
        Set<String> names = cases.stream().map(ConformanceCase::name).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(names.size() >= 38, "the cases are missing: " + names);
        for (String name : names) {
            assertTrue(Files.isRegularFile(suite.qemuTranscriptFile(name)), "no QEMU transcript for case " + name);
        }
        Set<String> unlisted = new TreeSet<>(names);
        unlisted.removeAll(suite.expectations().cases().keySet());
        assertEquals(Set.of(), unlisted, "cases without an entry in expectations.json");
        Set<String> stale = new TreeSet<>(suite.expectations().cases().keySet());
        stale.removeAll(names);
        assertEquals(Set.of(), stale, "entries in expectations.json without a case file");
    }

    @Test
    void everyExpectationAppliesToItsCase() throws IOException {
        for (ConformanceCase c : cases) {
            Expectations.CaseExpectation e = suite.expectations().of(c.name()).orElseThrow();
            try {
                List<ObjectNode> expected = TranscriptComparison.expected(c, e, suite.qemuTranscript(c.name()));
                e.steps().values().forEach(o -> o.check().ifPresent(RecordCheck::of));
                for (Expectations.EventWindow w : e.eventWindows()) {
                    for (int step : w.steps()) {
                        assertTrue(Transcript.byKey(expected).containsKey(Transcript.stepKey(step)),
                                c.name() + ": event window names step " + step + ", which the case does not have");
                    }
                }
                QemuArgs.forVnetd(c.qemuArgs());
            } catch (IllegalArgumentException ex) {
                fail(c.name() + ": " + ex.getMessage(), ex);
            }
        }
    }

    @Test
    void scratchPathsAreOnlyTheFilesACaseNamesUnderTmpQo() throws IOException {
        ConformanceCase unix = suite.testCase("netdev_add-stream-server-client-unix");
        assertEquals(List.of(Path.of("/tmp/qo/stream0.sock")), ConformanceSuite.scratchPaths(unix));
        ConformanceCase user = suite.testCase("netdev_add-user");
        assertEquals(List.of(), ConformanceSuite.scratchPaths(user), "tftp=/tmp/qo names the directory itself");
    }

    @Test
    void theDocListsWhatExpectationsJsonSays() throws IOException {
        Path doc = DifferencesDoc.file();
        String rendered = DifferencesDoc.render(suite);
        if (Boolean.getBoolean("conformance.updateDocs")) {
            DifferencesDoc.rewrite(doc, rendered);
        }
        String written = DifferencesDoc.section(Files.readString(doc, StandardCharsets.UTF_8));
        if (!written.equals(rendered)) {
            Path fresh = Path.of(System.getProperty("basedir", ".")).resolve("target/conformance/conformance-section.md");
            Files.createDirectories(fresh.getParent());
            Files.writeString(fresh, rendered, StandardCharsets.UTF_8);
            fail(doc + " does not list what expectations.json says; the section it should have is in " + fresh
                    + "; rewrite it with: mvn -pl it test -Dtest=ConformanceSuiteTest -Dconformance.updateDocs=true");
        }
    }
}
