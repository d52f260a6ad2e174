package io.vnetd.ops.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vnetd.ops.node.DataDirectory;
import io.vnetd.ops.node.StartupException;
import io.vnetd.ops.node.UserConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vnetd journal diff}: how an entity's state differs between two moments of one journal, or between two data
 * directories (the latest state in each, or each at {@code --at}). Each difference is a JSON object per line:
 * {@code {"path":"/linkUp","from":true,"to":false}}, the path a JSON pointer into the state as {@code replay} prints
 * it; a member present on one side only has no {@code from} or no {@code to}. A summary goes to standard error.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Show how an entity's state changed between two moments (--from, --to), or differs between two"
                + " data directories (--against), a JSON object per difference.")
final class JournalDiff extends JournalCommand.Reading {

    @Parameters(paramLabel = "PERSISTENCE-ID", description = "e.g. Netdev|h0")
    String id;

    @Option(names = "--from", paramLabel = "TIME", description = "the earlier moment: a sequence number or an ISO-8601"
            + " instant (default: before the first event)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "the later moment (default: the latest event)")
    String to;

    @Option(names = "--against", paramLabel = "DIR", description = "compare with the same entity in this other,"
            + " stopped node's data directory (at --at in both, or the latest)")
    Path against;

    @Option(names = "--at", paramLabel = "TIME", description = "with --against: the moment in both journals")
    String at;

    @Override
    int read(JournalReader journal, PrintWriter out) {
        EntityReplay<?, ?> replay = JournalCommand.replayOf(id);
        ObjectMapper json = journal.json();
        JsonNode before;
        JsonNode after;
        String fromName;
        String toName;
        if (against != null) {
            if (from != null || to != null) {
                throw new StartupException("--against compares the same moment (--at) of two journals; --from and --to"
                        + " compare two moments of one");
            }
            Optional<Moment> moment = Optional.ofNullable(at).map(text -> Moment.parse("--at", text));
            before = state(json, replay, journal.events(id), moment);
            after = otherState(replay, moment);
            fromName = "this journal";
            toName = against.toString();
        } else {
            if (at != null) {
                throw new StartupException("--at goes with --against; between two moments of one journal use --from and --to");
            }
            List<JournalEvent> events = journal.events(id);
            if (events.isEmpty()) {
                throw new StartupException("the journal has no events of '" + id + "'");
            }
            before = from == null ? json.valueToTree(replay.initial())
                    : state(json, replay, events, Optional.of(Moment.parse("--from", from)));
            after = state(json, replay, events, Optional.ofNullable(to).map(text -> Moment.parse("--to", text)));
            fromName = from == null ? "the start" : from;
            toName = to == null ? "the latest event" : to;
        }
        int differences = diff(json, "", before, after, out);
        System.err.println(id + ": " + (differences == 0 ? "no differences" : differences + " differences")
                + " between " + fromName + " and " + toName);
        return 0;
    }

    /** The state at {@code moment} (the latest if empty), as JSON; the initial state if no event had happened. */
    private static JsonNode state(ObjectMapper json, EntityReplay<?, ?> replay, List<JournalEvent> events,
                                  Optional<Moment> moment) {
        Moment until = moment.orElse(new Moment.Sequence(Long.MAX_VALUE));
        return json.valueToTree(replay.at(events, until).map(EntityReplay.At::state).orElse(replay.initial()));
    }

    private JsonNode otherState(EntityReplay<?, ?> replay, Optional<Moment> moment) {
        Config userFile = UserConfig.load(configFile);
        try (JournalReader other = JournalReader.open(new DataDirectory(against), userFile, ConfigFactory.empty())) {
            return state(other.json(), replay, other.events(id), moment);
        }
    }

    /** Prints the differences between {@code a} and {@code b} under {@code path}; returns how many. */
    static int diff(ObjectMapper json, String path, JsonNode a, JsonNode b, PrintWriter out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            int count = 0;
            for (String name : names) {
                count += diff(json, path + "/" + name.replace("~", "~0").replace("/", "~1"), a.get(name), b.get(name), out);
            }
            return count;
        }
        if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            int count = 0;
            Iterator<JsonNode> left = a.elements();
            Iterator<JsonNode> right = b.elements();
            for (int i = 0; left.hasNext(); i++) {
                count += diff(json, path + "/" + i, left.next(), right.next(), out);
            }
            return count;
        }
        if (a != null && a.equals(b)) {
            return 0;
        }
        ObjectNode line = json.createObjectNode().put("path", path.isEmpty() ? "/" : path);
        if (a != null) {
            line.set("from", a);
        }
        if (b != null) {
            line.set("to", b);
        }
        out.println(line);
        return 1;
    }
}
