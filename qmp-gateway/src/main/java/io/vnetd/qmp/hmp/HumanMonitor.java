package io.vnetd.qmp.hmp;

import io.vnetd.model.service.NetworkService;
import io.vnetd.model.service.NetworkView;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The human monitor behind {@code human-monitor-command}, with the one HMP command of QEMU that
 * concerns networking state, {@code info network}, and vnetd's own {@code info vnetd-counters}. The
 * command line is parsed as QEMU's {@code monitor_parse_command()} does, so unknown commands and stray
 * arguments get QEMU's text. The output has CR LF line ends, because QEMU's monitor converts every LF
 * it prints.
 */
public final class HumanMonitor {

    private final NetworkService network;

    public HumanMonitor(NetworkService network) {
        this.network = network;
    }

    public CompletionStage<String> execute(String commandLine) {
        Cursor cursor = new Cursor(commandLine);
        String name = cursor.commandName();
        if (name == null) {
            return done("");
        }
        if (!name.equals("info")) {
            return done(unknown(commandLine, cursor));
        }
        cursor.skipSpace();
        if (cursor.atEnd()) {
            // "info" alone is "help info": the list of its subcommands
            return done("info network  -- show the network state\n" + InfoCounters.HELP);
        }
        String item = cursor.commandName();
        Function<NetworkView, String> format = switch (item) {
            case "network" -> InfoNetwork::format;
            case InfoCounters.NAME -> InfoCounters::format;
            default -> null;
        };
        if (format == null) {
            return done(unknown(commandLine, cursor));
        }
        cursor.skipSpace();
        if (!cursor.atEnd()) {
            return done(item + ": extraneous characters at the end of line\n");
        }
        return network.queryNetwork().thenApply(view -> monitorText(format.apply(view)));
    }

    /** QEMU quotes the command line from its start up to the end of the word it did not know. */
    private static String unknown(String commandLine, Cursor cursor) {
        return "unknown command: '" + commandLine.substring(0, cursor.position) + "'\n";
    }

    private static CompletionStage<String> done(String text) {
        return CompletableFuture.completedFuture(monitorText(text));
    }

    private static String monitorText(String text) {
        return text.replace("\n", "\r\n");
    }

    /** A position in the command line, moved as QEMU's {@code get_command_name()} moves it. */
    private static final class Cursor {
        private final String line;
        private int position;

        Cursor(String line) {
            this.line = line;
        }

        /** The next word (up to a blank or '/'), or null if only blanks are left. */
        String commandName() {
            skipSpace();
            if (atEnd()) {
                return null;
            }
            int start = position;
            while (position < line.length() && line.charAt(position) != '/' && !isSpace(line.charAt(position))) {
                position++;
            }
            return line.substring(start, position);
        }

        void skipSpace() {
            while (position < line.length() && isSpace(line.charAt(position))) {
                position++;
            }
        }

        boolean atEnd() {
            return position >= line.length();
        }

        /** C's {@code isspace()} in the C locale. */
        private static boolean isSpace(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
        }
    }
}
