package io.vnetd.ops.shell;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.ops.qmp.QmpClient;
import io.vnetd.ops.qmp.QmpConnectionOptions;
import io.vnetd.ops.qmp.QmpException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vnetd shell}: QMP by hand, in qmp-shell's shorthand. On a terminal it edits lines (JLine), completes from
 * the server's own schema, keeps a history and shows events as they arrive above the line being typed; from a pipe
 * or with {@code -c} it runs one command per line and its exit status says whether every command succeeded.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"An interactive QMP shell, like QEMU's qmp-shell:",
                "  netdev_add type=hubport id=h0 hubid=0",
                "  {\"execute\": \"query-version\"}",
                "Values are JSON where they are JSON (5, true, [1,2], {'a':1});",
                "dotted keys nest (addr.type=inet).",
                "From a pipe or with -c: one command per line, one answer per line;",
                "exit status 1 if a command failed or the connection broke."})
public final class ShellCommand implements Callable<Integer> {

    @Mixin
    QmpConnectionOptions connection;

    @Option(names = {"-H", "--hmp"}, description = "human-monitor commands (each line is sent in human-monitor-command)")
    boolean humanMonitor;

    @Option(names = {"-p", "--pretty"}, negatable = true,
            description = "pretty-print JSON (default: on a terminal)")
    Boolean pretty;

    @Option(names = {"-v", "--verbose"}, description = "show each request as it is sent")
    boolean verbose;

    @Option(names = {"-c", "--command"}, paramLabel = "LINE",
            description = "run LINE and exit instead of reading commands; repeatable")
    List<String> commands = new ArrayList<>();

    @Option(names = "--history", paramLabel = "FILE",
            description = "the history file (default: $XDG_STATE_HOME/vnetd/shell_history, or hmp_history with -H;"
                    + " XDG_STATE_HOME defaults to ~/.local/state)")
    Path historyFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Console console = System.console();
        boolean onTerminal = commands.isEmpty() && console != null && console.isTerminal();
        try (QmpClient client = connection.connect()) {
            ShellSession session = new ShellSession(client, humanMonitor, pretty != null ? pretty : onTerminal, verbose);
            return onTerminal ? interactive(client, session) : batch(client, session);
        }
    }

    /** Lines from {@code -c} or standard input; events are printed as they arrive, between answers. */
    private int batch(QmpClient client, ShellSession session) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Thread events = Thread.ofPlatform().daemon().name("shell-events").start(() -> printEvents(client, session, out));
        boolean allOk = true;
        try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            int next = 0;
            while (true) {
                String line = commands.isEmpty() ? stdin.readLine() : next < commands.size() ? commands.get(next++) : null;
                if (line == null) {
                    break;
                }
                if (line.isBlank() || line.strip().startsWith("#")) {
                    continue;
                }
                ShellSession.Outcome outcome = session.run(line);
                synchronized (out) {
                    if (!outcome.output().isEmpty()) {
                        out.println(outcome.output());
                    }
                    out.flush();
                }
                if (!outcome.error().isEmpty()) {
                    err.println(outcome.error());
                    err.flush();
                }
                allOk &= outcome.ok();
            }
        } catch (QmpException e) {
            err.println("vnetd shell: " + e.getMessage());
            err.flush();
            allOk = false;
        } finally {
            events.interrupt();
        }
        synchronized (out) {
            for (JsonNode event = client.events().poll(); event != null; event = client.events().poll()) {
                out.println(session.format(event));
            }
            out.flush();
        }
        return allOk ? 0 : 1;
    }

    private static void printEvents(QmpClient client, ShellSession session, PrintWriter out) {
        try {
            while (true) {
                JsonNode event = client.events().take();
                synchronized (out) {
                    out.println(session.format(event));
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            // The shell is ending; what is left in the queue is printed by it.
        }
    }

    private int interactive(QmpClient client, ShellSession session) throws IOException {
        Completions completions = humanMonitor ? humanMonitorCompletion(client)
                : SchemaCompletion.of(client.query("query-qmp-schema"));
        Path history = historyFile != null ? historyFile : defaultHistoryFile(humanMonitor, System.getenv());
        Files.createDirectories(history.toAbsolutePath().getParent());
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("vnetd")
                    .completer((lineReader, line, candidates) -> {
                        List<String> words = new ArrayList<>(line.words());
                        words.set(line.wordIndex(), line.word().substring(0, line.wordCursor()));
                        for (Suggestion s : completions.suggest(words, line.wordIndex())) {
                            candidates.add(new Candidate(s.word(), s.word(), null, s.description(), null, null,
                                    s.complete()));
                        }
                    })
                    .variable(LineReader.HISTORY_FILE, history)
                    // A '!' in a value is the user's, not a history designator.
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
            PrintWriter out = terminal.writer();
            out.println(banner(client));
            out.flush();
            Thread events = Thread.ofPlatform().daemon().name("shell-events").start(() -> {
                try {
                    while (true) {
                        reader.printAbove(session.format(client.events().take()));
                    }
                } catch (InterruptedException e) {
                    // The shell is ending.
                }
            });
            AtomicBoolean leaving = new AtomicBoolean();
            client.closed().thenAccept(reason -> {
                if (!leaving.get()) {
                    reader.printAbove("vnetd shell: " + reason);
                }
            });
            String prompt = humanMonitor ? "(vnetd-hmp) " : "(vnetd) ";
            try {
                while (true) {
                    String line;
                    try {
                        line = reader.readLine(prompt);
                    } catch (UserInterruptException e) {
                        continue;
                    } catch (EndOfFileException e) {
                        return 0;
                    }
                    ShellSession.Outcome outcome = session.run(line);
                    if (!outcome.output().isEmpty()) {
                        out.println(outcome.output());
                    }
                    if (!outcome.error().isEmpty()) {
                        out.println(outcome.error());
                    }
                    out.flush();
                }
            } catch (QmpException e) {
                out.println("vnetd shell: " + e.getMessage());
                out.flush();
                return 1;
            } finally {
                leaving.set(true);
                events.interrupt();
                reader.getHistory().save();
            }
        }
    }

    private static HumanMonitorCompletion humanMonitorCompletion(QmpClient client) throws QmpException {
        JsonNode answer = client.execute("human-monitor-command",
                ShellSyntax.humanMonitorRequest("info").get("arguments"));
        return HumanMonitorCompletion.fromInfoHelp(answer.path("return").asText(""));
    }

    private static String banner(QmpClient client) {
        JsonNode version = client.greeting().path("QMP").path("version");
        JsonNode qemu = version.path("qemu");
        String product = version.path("package").asText("").strip();
        return "Welcome to the vnetd QMP shell. Connected to " + (product.isEmpty() ? "QMP" : product)
                + " (QEMU " + qemu.path("major").asInt() + "." + qemu.path("minor").asInt() + "."
                + qemu.path("micro").asInt() + " protocol) at " + client.endpoint() + ".\n"
                + "TAB completes commands and their arguments; Ctrl-D leaves.";
    }

    /** {@code $XDG_STATE_HOME/vnetd/shell_history}, with the XDG default {@code ~/.local/state}. */
    static Path defaultHistoryFile(boolean humanMonitor, Map<String, String> environment) {
        String state = environment.get("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() && Path.of(state).isAbsolute()
                ? Path.of(state)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("vnetd").resolve(humanMonitor ? "hmp_history" : "shell_history");
    }
}
