package io.vnetd.ops.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.vnetd.journal.LmdbJournalVerifier;
import io.vnetd.ops.node.DataDirectory;
import io.vnetd.ops.node.StartupException;
import io.vnetd.ops.node.UserConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.typed.PersistenceId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vnetd journal}: reads a stopped node's event journal, for debugging. Events and states are
 * printed one JSON object per line, in the form they are journaled in, so that {@code jq} and
 * {@code grep} work on them.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "Read the event journal of a stopped vnetd.",
        subcommands = {JournalCommand.Ids.class, JournalCommand.Dump.class, JournalCommand.Replay.class,
                JournalCommand.Verify.class})
public final class JournalCommand {

    /**
     * A subcommand that reads the journal: the daemon's options say where it is; {@link #read} runs
     * with it open and returns the exit status.
     */
    abstract static class Reading implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "the node's data directory (default: ./var)")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE", description = "the node's HOCON configuration")
        Path configFile;

        @Spec
        CommandSpec spec;

        abstract int read(JournalReader journal, PrintWriter out);

        @Override
        public final Integer call() {
            Config userFile = UserConfig.load(configFile);
            DataDirectory data = UserConfig.dataDirectory(dataDir, userFile);
            PrintWriter out = spec.commandLine().getOut();
            try (JournalReader journal = JournalReader.open(data, userFile)) {
                return read(journal, out);
            } finally {
                out.flush();
            }
        }
    }

    @Command(name = "ids", mixinStandardHelpOptions = true,
            description = "List every entity of the journal with its number of events.")
    static final class Ids extends Reading {
        @Override
        int read(JournalReader journal, PrintWriter out) {
            for (String id : journal.persistenceIds()) {
                out.println(id + "\t" + journal.events(id).size());
            }
            return 0;
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print the events of the given entities (all if none), oldest first, a JSON object per line.")
    static final class Dump extends Reading {
        @Parameters(paramLabel = "PERSISTENCE-ID", arity = "0..*", description = "e.g. Netdev|h0, Nic|vnic, Announce|...")
        List<String> ids = new ArrayList<>();

        @Override
        int read(JournalReader journal, PrintWriter out) {
            for (String id : ids.isEmpty() ? journal.persistenceIds() : ids) {
                for (EventEnvelope envelope : journal.events(id)) {
                    out.println(line(journal.json(), envelope));
                }
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Fold one entity's events through its own state transitions and print the state after each.")
    static final class Replay extends Reading {
        @Parameters(paramLabel = "PERSISTENCE-ID", description = "e.g. Netdev|h0")
        String id;

        @Option(names = "--to", paramLabel = "SEQUENCE-NR", description = "stop after this event")
        long to = Long.MAX_VALUE;

        @Override
        int read(JournalReader journal, PrintWriter out) {
            String separator = PersistenceId.DefaultSeparator();
            String type = id.contains(separator) ? id.substring(0, id.indexOf(separator)) : id;
            EntityReplay<?, ?> replay = EntityReplay.of(type).orElseThrow(() -> new StartupException(
                    "no replay for entity type '" + type + "' (persistence ids look like Netdev|h0, Nic|vnic, Announce|...)"));
            List<EventEnvelope> events = journal.events(id);
            if (events.isEmpty()) {
                throw new StartupException("the journal has no events of '" + id + "'");
            }
            Object state = replay.initial();
            for (EventEnvelope envelope : events) {
                if (envelope.sequenceNr() > to) {
                    break;
                }
                state = replay.next(state, envelope.event());
                ObjectNode line = line(journal.json(), envelope);
                line.set("state", journal.json().valueToTree(state));
                out.println(line);
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Read every record, check its checksum and that it decodes; exit status 1 names each bad one.")
    static final class Verify extends Reading {
        @Override
        int read(JournalReader journal, PrintWriter out) {
            LmdbJournalVerifier.Report report = journal.verify();
            for (LmdbJournalVerifier.Problem problem : report.problems()) {
                out.println("bad record " + problem.persistenceId() + " #" + problem.sequenceNr() + ": " + problem.message());
            }
            out.println((report.ok() ? "journal ok: " : "journal damaged: ") + report.events() + " events, "
                    + report.snapshots() + " snapshots, " + report.problems().size() + " bad records");
            return report.ok() ? 0 : 1;
        }
    }

    private static ObjectNode line(ObjectMapper json, EventEnvelope envelope) {
        ObjectNode line = json.createObjectNode();
        line.put("persistence-id", envelope.persistenceId());
        line.put("sequence-nr", envelope.sequenceNr());
        line.put("timestamp", Instant.ofEpochMilli(envelope.timestamp()).toString());
        line.put("event-type", envelope.event().getClass().getSimpleName());
        JsonNode event = json.valueToTree(envelope.event());
        line.set("event", event);
        return line;
    }
}
