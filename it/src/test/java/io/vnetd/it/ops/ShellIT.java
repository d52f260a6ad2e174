package io.vnetd.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdCommand;
import io.vnetd.it.support.VnetdProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vnetd shell} against a running daemon, driven as a user drives it: through a pipe, and on a terminal. */
class ShellIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void commandsFromAPipeAreAnsweredOneLineEachAndAllSucceeding() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("data"))) {
            String sock = daemon.qmpSocket().toString();
            VnetdCommand run = VnetdCommand.run(Map.of(), """
                    netdev_add type=hubport id=h0 hubid=0
                    # a comment, then a blank line

                    {"execute": "query-version", "id": "mine"}
                    set_link name=h0 up=false
                    __io.vnetd_query-net-clients
                    """, "shell", sock);
            assertEquals(0, run.status(), run.err());
            assertEquals("", run.err());
            List<JsonNode> answers = run.jsonLines();
            assertEquals(4, answers.size(), run.out());
            assertEquals(JSON.readTree("{\"return\": {}}"), answers.get(0));
            assertEquals("mine", answers.get(1).get("id").asText(), "a raw request keeps its own id");
            assertTrue(answers.get(1).path("return").path("qemu").has("major"), answers.get(1).toString());
            assertEquals(JSON.readTree("{\"return\": {}}"), answers.get(2));
            JsonNode h0 = answers.get(3).get("return").get(0);
            assertEquals("h0", h0.get("name").asText());
            assertEquals(0, h0.get("hub").asInt());
            assertFalse(h0.get("link-up").asBoolean(), "set_link up=false reached the daemon");
        }
    }

    @Test
    void aFailedCommandOrABadLineMakesTheExitStatusOneAndTheRestStillRuns() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("data"))) {
            String sock = daemon.qmpSocket().toString();
            VnetdCommand run = VnetdCommand.run(Map.of(), """
                    netdev_add type=hubport id=h0 hubid=0
                    netdev_add type=hubport id=h0 hubid=0
                    netdev_add type hubport
                    netdev_add type=hubport id=h1 hubid=1
                    """, "shell", sock);
            assertEquals(1, run.status(), run.out() + run.err());
            List<JsonNode> answers = run.jsonLines();
            assertEquals(3, answers.size(), run.out());
            assertEquals(JSON.readTree("{\"return\": {}}"), answers.get(0));
            assertEquals(JSON.readTree("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Duplicate ID 'h0'\"}}"),
                    answers.get(1));
            assertEquals(JSON.readTree("{\"return\": {}}"), answers.get(2), "the line after the bad ones ran");
            assertTrue(run.err().startsWith("Error while parsing command line: Expected a key=value pair, got 'type'\n"),
                    run.err());
        }
    }

    @Test
    void dashCRunsEachCommandAndDashHSpeaksToTheHumanMonitor() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("data"))) {
            String sock = "unix:" + daemon.qmpSocket();
            VnetdCommand added = VnetdCommand.run("shell", sock, "-c", "netdev_add type=hubport id=h0 hubid=0",
                    "-c", "device_add driver=e1000 id=nic0 netdev=h0 mac=52:54:00:12:34:56");
            assertEquals(0, added.status(), added.err());
            assertEquals(List.of("{\"return\":{}}", "{\"return\":{}}"), added.out().lines().toList());

            VnetdCommand human = VnetdCommand.run("shell", sock, "-H", "-c", "info network");
            assertEquals(0, human.status(), human.err());
            assertTrue(human.out().contains("hub 0"), human.out());
            assertTrue(human.out().contains(" \\ h0: nic0: index=0,type=nic,model=e1000,macaddr=52:54:00:12:34:56"),
                    human.out());
            assertFalse(human.out().contains("\r"), "the monitor's CRLF is printed as the terminal's lines");

            VnetdCommand pretty = VnetdCommand.run("shell", sock, "-p", "-c", "netdev_del id=nosuch");
            assertEquals(1, pretty.status());
            assertEquals(JSON.readTree("{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'nosuch' not found\"}}"),
                    JSON.readTree(pretty.out()));
            assertTrue(pretty.out().lines().count() > 3, "-p prints the answer over several lines: " + pretty.out());
        }
    }

    @Test
    void aConnectionThatBreaksEndsTheShellWithStatusOne() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("data"))) {
            Process shell = new ProcessBuilder(VnetdProcess.command("shell", daemon.qmpSocket().toString())).start();
            try (OutputStream stdin = shell.getOutputStream();
                 BufferedReader stdout = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
                stdin.write("netdev_add type=hubport id=h0 hubid=0\n".getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                assertEquals("{\"return\":{}}", stdout.readLine());
                daemon.kill();
                stdin.write("netdev_add type=hubport id=h1 hubid=0\n".getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(shell.waitFor(STEP.toSeconds(), TimeUnit.SECONDS), "the shell ends when its daemon is gone");
            String err = new String(shell.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, shell.exitValue(), err);
            assertTrue(err.startsWith("vnetd shell: the QMP connection "), err);
        }
    }

    @Test
    void noDaemonIsAOneLineErrorWithStatusOne() throws Exception {
        Path missing = dir.resolve("no-such.sock");
        VnetdCommand run = VnetdCommand.run("shell", missing.toString(), "-c", "query-version");
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith("vnetd: cannot connect to QMP at " + missing + ": "), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
    }

    @Test
    void onATerminalTabCompletesAndEventsAppearAboveTheLineBeingTyped() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")),
                "needs script(1) from util-linux for a pseudo-terminal (bin/install-test-deps)");
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("data"));
             QmpClient other = QmpClient.connect(daemon.qmpSocket())) {
            other.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 0}");
            Path history = dir.resolve("history");
            String command = VnetdProcess.command("shell", daemon.qmpSocket().toString(), "--history", history.toString())
                    .stream().map(ShellIT::shellQuoted).collect(Collectors.joining(" "));
            ProcessBuilder builder = new ProcessBuilder("/usr/bin/script", "-qfec",
                    "stty cols 160 rows 40; exec " + command, "/dev/null");
            builder.environment().put("TERM", "xterm-256color");
            builder.redirectErrorStream(true);
            Process script = builder.start();
            try (Terminal terminal = new Terminal(script)) {
                terminal.await("(vnetd) ");

                terminal.type("query-ver\t");
                terminal.await("(vnetd) query-version");
                terminal.type("\r");
                terminal.await("\"major\"");

                terminal.type("netdev_add type=hubport h\t");
                terminal.await("netdev_add type=hubport hubid=");
                terminal.type("1 id=h1\r");
                terminal.await("\"return\" : { }");
                assertTrue(names(other).contains("h1"), "the completed command created h1");

                // Half a line typed, then an event arrives from another client's change.
                terminal.type("set_link na");
                terminal.await("(vnetd) set_link na");
                other.ok("device_add", "{\"driver\": \"e1000\", \"id\": \"nic-ev\", \"netdev\": \"h0\"}");
                other.ok("device_del", "{\"id\": \"nic-ev\"}");
                terminal.await("\"DEVICE_DELETED\"");
                terminal.await("(vnetd) set_link na", terminal.text().lastIndexOf("DEVICE_DELETED"));
                terminal.type("me=h0 up=false\r");
                terminal.awaitCount("\"return\" : { }", 2);
                assertFalse(linkUp(other, "h0"), "the line typed around the event was sent whole");

                terminal.type("\u0004");
                assertTrue(script.waitFor(STEP.toSeconds(), TimeUnit.SECONDS), "Ctrl-D leaves: " + terminal.text());
                assertEquals(0, script.exitValue(), terminal.text());
            } finally {
                script.destroyForcibly();
            }
            List<String> remembered = Files.readAllLines(history);
            assertTrue(remembered.stream().anyMatch(line -> line.endsWith("query-version")), remembered.toString());
            assertTrue(remembered.stream().anyMatch(line -> line.endsWith("set_link name=h0 up=false")), remembered.toString());
        }
    }

    private static List<String> names(QmpClient qmp) throws IOException {
        return qmp.ok("__io.vnetd_query-net-clients", null).findValuesAsText("name");
    }

    private static boolean linkUp(QmpClient qmp, String name) throws IOException {
        for (JsonNode client : qmp.ok("__io.vnetd_query-net-clients", null)) {
            if (client.get("name").asText().equals(name)) {
                return client.get("link-up").asBoolean();
            }
        }
        throw new AssertionError(name + " is not listed");
    }

    private static String shellQuoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** What a user sees of the terminal that {@code script} gives the shell: its output, escapes taken out. */
    private static final class Terminal implements AutoCloseable {
        private final Process script;
        private final StringBuffer raw = new StringBuffer();
        private final Thread reader;

        Terminal(Process script) {
            this.script = script;
            this.reader = Thread.ofPlatform().daemon().name("pty-reader").start(() -> {
                try (InputStream in = script.getInputStream()) {
                    byte[] buffer = new byte[4096];
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        raw.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // The terminal closed.
                }
            });
        }

        /** The output with terminal escapes, bells and carriage returns removed. */
        String text() {
            return raw.toString()
                    .replaceAll("\u001B\\[[0-9;?$<>=]*[ -/]*[@-~]", "")
                    .replaceAll("\u001B[=>]", "")
                    .replace("\u0007", "")
                    .replace("\r", "");
        }

        void type(String keys) throws IOException {
            OutputStream in = script.getOutputStream();
            in.write(keys.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        void await(String expected) throws InterruptedException {
            await(expected, 0);
        }

        void await(String expected, int from) throws InterruptedException {
            long deadline = System.nanoTime() + STEP.toNanos();
            while (text().indexOf(expected, from) < 0) {
                assertTrue(System.nanoTime() < deadline && script.isAlive(),
                        "the terminal should show '" + expected + "'; it shows:\n" + text());
                Thread.sleep(50);
            }
        }

        void awaitCount(String expected, int count) throws InterruptedException {
            long deadline = System.nanoTime() + STEP.toNanos();
            while (text().split(java.util.regex.Pattern.quote(expected), -1).length - 1 < count) {
                assertTrue(System.nanoTime() < deadline && script.isAlive(),
                        "the terminal should show '" + expected + "' " + count + " times; it shows:\n" + text());
                Thread.sleep(50);
            }
        }

        @Override
        public void close() throws InterruptedException {
            reader.join(Duration.ofSeconds(5));
        }
    }
}
