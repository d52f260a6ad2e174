package io.vnetd.ops.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.ops.node.StartupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.pekko.persistence.typed.PersistenceId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vnetd journal stats}: what a journal holds: entities and events by entity type, the oldest and newest event,
 * and for an LMDB journal its files' sizes. Text for people, or one JSON object with {@code --json}.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Count the journal's entities and events by type, show its oldest and newest event and its size.")
final class JournalStats extends JournalCommand.Reading {

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean asJson;

    /** The counts of one entity type. */
    private static final class Kind {
        long entities;
        long events;
    }

    /** The events counted, and the oldest and newest (the last of equal timestamps). */
    private static final class Totals {
        long events;
        JournalEvent oldest;
        JournalEvent newest;

        void add(JournalEvent event) {
            events++;
            if (oldest == null || event.timestamp() < oldest.timestamp()) {
                oldest = event;
            }
            if (newest == null || event.timestamp() >= newest.timestamp()) {
                newest = event;
            }
        }
    }

    @Override
    int read(JournalReader journal, PrintWriter out) {
        List<String> ids = journal.persistenceIds();
        Map<String, Kind> kinds = new TreeMap<>();
        Totals totals = new Totals();
        try (Progress progress = Progress.of("stats", ids.size())) {
            journal.forEachEntity(ids, (id, entityEvents) -> {
                Kind kind = kinds.computeIfAbsent(type(id), k -> new Kind());
                kind.entities++;
                for (JournalEvent event : entityEvents) {
                    kind.events++;
                    totals.add(event);
                }
                progress.step();
            });
        }
        JournalEvent oldest = totals.oldest;
        JournalEvent newest = totals.newest;
        long events = totals.events;
        Map<String, Long> sizes = journalDir == null ? Map.of() : sizes(journalDir);
        if (asJson) {
            ObjectNode json = journal.json().createObjectNode();
            json.put("entities", ids.size()).put("events", events);
            ObjectNode byType = json.putObject("by-type");
            kinds.forEach((type, kind) -> byType.putObject(type).put("entities", kind.entities).put("events", kind.events));
            if (oldest != null) {
                json.set("oldest", JournalCommand.line(journal.json(), oldest));
                json.set("newest", JournalCommand.line(journal.json(), newest));
            }
            ObjectNode files = json.putObject("bytes");
            sizes.forEach(files::put);
            out.println(json);
            return 0;
        }
        out.println("entities " + ids.size() + ", events " + events);
        kinds.forEach((type, kind) -> out.println("  " + type + ": " + kind.entities + " entities, " + kind.events + " events"));
        if (oldest != null) {
            out.println("oldest " + describe(oldest));
            out.println("newest " + describe(newest));
        }
        sizes.forEach((file, bytes) -> out.println("size " + file + " " + bytes + " bytes"));
        return 0;
    }

    private static String type(String persistenceId) {
        String separator = PersistenceId.DefaultSeparator();
        int at = persistenceId.indexOf(separator);
        return at < 0 ? persistenceId : persistenceId.substring(0, at);
    }

    private static String describe(JournalEvent event) {
        return Instant.ofEpochMilli(event.timestamp()) + " " + event.persistenceId() + " #" + event.sequenceNr()
                + " " + event.event().getClass().getSimpleName();
    }

    /** LMDB's data file, and the write-ahead log's segments (spares included), in bytes. */
    private static Map<String, Long> sizes(Path journalDir) {
        Map<String, Long> sizes = new TreeMap<>();
        try {
            Path data = journalDir.resolve("data.mdb");
            if (Files.isRegularFile(data)) {
                sizes.put("data.mdb", Files.size(data));
            }
            Path wal = journalDir.resolve("wal");
            if (Files.isDirectory(wal)) {
                try (Stream<Path> files = Files.list(wal)) {
                    long total = 0;
                    for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                        total += Files.size(file);
                    }
                    sizes.put("wal", total);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size the journal in " + journalDir, e);
        }
        if (sizes.isEmpty()) {
            throw new StartupException("no LMDB journal files in " + journalDir);
        }
        return sizes;
    }
}
