package io.vnetd.ops.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vnetd.journal.JournalException;
import io.vnetd.journal.JournalFollower;
import io.vnetd.journal.VerificationReport;
import io.vnetd.journal.postgres.PostgresSchema;
import io.vnetd.ops.node.DataDirectory;
import io.vnetd.ops.node.StartupException;
import io.vnetd.ops.node.UserConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.SerializationExtension;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vnetd journal}: reads an event journal, for debugging: a stopped node's LMDB journal, or a cluster's
 * PostgreSQL journal ({@code --journal postgres://...}); creates a PostgreSQL journal's tables; copies a node's LMDB
 * journal into PostgreSQL. Events and states are printed one JSON object per line, in the form they are journaled
 * in, so that {@code jq} and {@code grep} work on them.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "Read, create or copy an event journal of vnetd.",
        subcommands = {JournalCommand.Ids.class, JournalCommand.Dump.class, JournalCommand.Replay.class,
                JournalDiff.class, JournalStats.class, JournalCommand.Verify.class, JournalCommand.InitPostgres.class,
                JournalCommand.Copy.class})
public final class JournalCommand {

    /** The options every subcommand takes: the node's configuration and, for PostgreSQL, the password. */
    abstract static class JournalOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "the node's HOCON configuration")
        Path configFile;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "a file whose first line is the PostgreSQL role's password")
        Path passwordFile;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    /**
     * A subcommand that reads a journal: the LMDB journal of a data directory unless {@code --journal} names a
     * PostgreSQL one; {@link #read} runs with it open and returns the exit status.
     */
    abstract static class Reading extends JournalOptions implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "the node's data directory (default: ./var)")
        Path dataDir;

        @Option(names = "--journal", paramLabel = "postgres://USER@HOST[:PORT]/DATABASE",
                description = "read this PostgreSQL journal instead of the data directory's")
        String journalSpec;

        /** The LMDB journal's directory while one is read; null for a PostgreSQL journal. */
        Path journalDir;

        abstract int read(JournalReader journal, PrintWriter out);

        @Override
        public Integer call() {
            Config userFile = UserConfig.load(configFile);
            DataDirectory data = UserConfig.dataDirectory(dataDir, userFile);
            PrintWriter out = out();
            journalDir = journalSpec == null ? data.journal() : null;
            try (JournalReader journal = journalSpec == null
                    ? JournalReader.open(data, userFile, ConfigFactory.empty())
                    : JournalReader.open(PostgresJournal.parse(journalSpec, passwordFile), userFile, data)) {
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
            journal.forEachEntity(journal.persistenceIds(), (id, events) -> out.println(id + "\t" + events.size()));
            return 0;
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print the events of the given entities (all if none), oldest first, a JSON object per line;"
                    + " with --follow, then each new one as a running node journals it.")
    static final class Dump extends Reading {
        @Parameters(paramLabel = "PERSISTENCE-ID", arity = "0..*", description = "e.g. Netdev|h0, Nic|vnic, Announce|...")
        List<String> ids = new ArrayList<>();

        @Option(names = {"-f", "--follow"}, description = "keep printing events as they are journaled, until interrupted;"
                + " reads a running node's LMDB journal without its lock (README: Reading the journal)")
        boolean follow;

        @Option(names = "--poll", paramLabel = "DURATION", description = "how often --follow looks for new events"
                + " (default: ${DEFAULT-VALUE})")
        Duration poll = Duration.ofMillis(200);

        @Override
        public Integer call() {
            if (!follow) {
                return super.call();
            }
            if (journalSpec != null) {
                throw new StartupException("--follow reads a node's LMDB journal; a PostgreSQL journal is read without it");
            }
            Config userFile = UserConfig.load(configFile);
            DataDirectory data = UserConfig.dataDirectory(dataDir, userFile);
            PrintWriter out = out();
            Set<String> only = Set.copyOf(ids);
            // The actor system first: it points the log at its file before anything logs (LMDB's library does).
            Path log = Path.of(System.getProperty("java.io.tmpdir"), "vnetd-journal.log");
            ActorSystem<Void> system = JournalReader.system(ConfigFactory.empty(), userFile, data, log);
            try (JournalFollower follower = openFollower(data, system)) {
                ObjectMapper json = JournalReader.json(system);
                EventDecoder decoder = new EventDecoder(SerializationExtension.get(Adapter.toClassic(system)), json);
                follower.follow(stored -> {
                    if (only.isEmpty() || only.contains(stored.persistenceId())) {
                        JournalEvent event = decoder.decode(stored);
                        out.println(line(json, event.persistenceId(), event.sequenceNr(), event.timestamp(), event.event()));
                        out.flush();
                    }
                }, poll, () -> !out.checkError());
                return 0;
            } finally {
                system.terminate();
            }
        }

        private static JournalFollower openFollower(DataDirectory data, ActorSystem<Void> system) {
            try {
                return JournalFollower.open(data.journal());
            } catch (JournalException e) {
                system.terminate();
                throw new StartupException(e.getMessage());
            }
        }

        @Override
        int read(JournalReader journal, PrintWriter out) {
            List<String> all = ids.isEmpty() ? journal.persistenceIds() : ids;
            try (Progress progress = Progress.of("dump", all.size())) {
                journal.forEachEntity(all, (id, events) -> {
                    for (JournalEvent event : events) {
                        out.println(line(journal.json(), event));
                    }
                    progress.step();
                });
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Fold one entity's events through its own state transitions and print the state after each;"
                    + " with --at, only the state at that moment.")
    static final class Replay extends Reading {
        @Parameters(paramLabel = "PERSISTENCE-ID", description = "e.g. Netdev|h0")
        String id;

        @Option(names = "--to", paramLabel = "SEQUENCE-NR", description = "stop after this event")
        long to = Long.MAX_VALUE;

        @Option(names = "--at", paramLabel = "TIME", description = "print only the state at TIME: a sequence number"
                + " (after that event) or an ISO-8601 instant (every event journaled by then), e.g. 2026-12-07T18:00:00Z")
        String at;

        @Override
        int read(JournalReader journal, PrintWriter out) {
            EntityReplay<?, ?> replay = replayOf(id);
            List<JournalEvent> events = journal.events(id);
            if (events.isEmpty()) {
                throw new StartupException("the journal has no events of '" + id + "'");
            }
            if (at != null) {
                Moment moment = Moment.parse("--at", at);
                EntityReplay.At state = replay.at(events, moment).orElseThrow(() -> new StartupException(
                        "'" + id + "' did not exist yet at " + moment + " (its first event: #1 at "
                                + Instant.ofEpochMilli(events.getFirst().timestamp()) + ")"));
                ObjectNode line = line(journal.json(), state.last());
                line.set("state", journal.json().valueToTree(state.state()));
                out.println(line);
                return 0;
            }
            Object state = replay.initial();
            for (JournalEvent event : events) {
                if (event.sequenceNr() > to) {
                    break;
                }
                state = replay.next(state, event.event());
                ObjectNode line = line(journal.json(), event);
                line.set("state", journal.json().valueToTree(state));
                out.println(line);
            }
            return 0;
        }
    }

    /** The replay of the entity {@code persistenceId} names. */
    static EntityReplay<?, ?> replayOf(String persistenceId) {
        String separator = PersistenceId.DefaultSeparator();
        String type = persistenceId.contains(separator)
                ? persistenceId.substring(0, persistenceId.indexOf(separator)) : persistenceId;
        return EntityReplay.of(type).orElseThrow(() -> new StartupException("no replay for entity type '" + type
                + "' (persistence ids look like Netdev|h0, Nic|vnic, Announce|...)"));
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Read every record, check its checksum and that it decodes; exit status 1 names each bad one.")
    static final class Verify extends Reading {
        @Override
        int read(JournalReader journal, PrintWriter out) {
            VerificationReport report = journal.verify();
            for (VerificationReport.Problem problem : report.problems()) {
                out.println("bad record " + problem.persistenceId() + " #" + problem.sequenceNr() + ": " + problem.message());
            }
            out.println((report.ok() ? "journal ok: " : "journal damaged: ") + report.events() + " events, "
                    + report.snapshots() + " snapshots, " + report.problems().size() + " bad records");
            return report.ok() ? 0 : 1;
        }
    }

    @Command(name = "init-postgres", mixinStandardHelpOptions = true,
            description = "Create the tables of a PostgreSQL journal where they are missing (existing ones are kept).")
    static final class InitPostgres extends JournalOptions implements Callable<Integer> {
        @Option(names = "--journal", required = true, paramLabel = "postgres://USER@HOST[:PORT]/DATABASE",
                description = "the database, which must exist")
        String journalSpec;

        @Override
        public Integer call() {
            PostgresJournal journal = PostgresJournal.parse(journalSpec, passwordFile);
            boolean created = journal.initSchema();
            out().println((created ? "journal created in " : "journal already present in ") + journal.database());
            out().flush();
            return 0;
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Copy a stopped node's LMDB journal into an empty PostgreSQL journal (tables created if missing).")
    static final class Copy extends JournalOptions implements Callable<Integer> {
        @Option(names = "--from", required = true, paramLabel = "DIR", description = "the node's data directory")
        Path from;

        @Option(names = "--to", required = true, paramLabel = "postgres://USER@HOST[:PORT]/DATABASE",
                description = "the PostgreSQL journal, which must hold no events or snapshots")
        String to;

        @Override
        public Integer call() {
            Config userFile = UserConfig.load(configFile);
            PostgresJournal target = PostgresJournal.parse(to, passwordFile);
            target.initSchema();
            PostgresSchema.Contents contents = target.contents();
            if (!contents.isEmpty()) {
                throw new StartupException("will not copy into " + target.database() + ": it already holds "
                        + contents.events() + " events and " + contents.snapshots() + " snapshots");
            }
            try (JournalReader source = JournalReader.open(new DataDirectory(from), userFile,
                    target.database().pluginConfig())) {
                JournalCopy.Copied copied = new JournalCopy(source, "vnetd.snapshot-store.lmdb").run();
                out().println("copied " + copied.entities() + " entities (" + copied.events() + " events, "
                        + copied.snapshots() + " snapshots) from " + from + " to " + target.database());
                out().flush();
                return 0;
            }
        }
    }

    static ObjectNode line(ObjectMapper json, JournalEvent event) {
        return line(json, event.persistenceId(), event.sequenceNr(), event.timestamp(), event.event());
    }

    private static ObjectNode line(ObjectMapper json, String persistenceId, long sequenceNr, long timestamp, Object event) {
        ObjectNode line = json.createObjectNode();
        line.put("persistence-id", persistenceId);
        line.put("sequence-nr", sequenceNr);
        line.put("timestamp", Instant.ofEpochMilli(timestamp).toString());
        line.put("event-type", event.getClass().getSimpleName());
        line.set("event", json.valueToTree(event));
        return line;
    }
}
