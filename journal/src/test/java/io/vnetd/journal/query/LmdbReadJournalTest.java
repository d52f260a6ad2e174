package io.vnetd.journal.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.journal.JournalClient;
import io.vnetd.journal.TestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.journal.EventAdapter;
import org.apache.pekko.persistence.journal.EventSeq;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbReadJournalTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Reads back "double:x" as two events, to show the journal's adapters apply to queries. */
    public static final class Doubling implements EventAdapter {
        @Override
        public String manifest(Object event) {
            return "";
        }

        @Override
        public Object toJournal(Object event) {
            return event;
        }

        @Override
        public EventSeq fromJournal(Object event, String manifest) {
            return event instanceof String s && s.startsWith("double:")
                    ? EventSeq.create(s.substring(7), s.substring(7)) : EventSeq.single(event);
        }
    }

    @TempDir
    Path dir;

    private ActorTestKit kit;

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private LmdbReadJournal start() {
        kit = TestSupport.system(dir, """
                vnetd.query.lmdb.page-size = 100
                vnetd.journal.lmdb.event-adapters.doubling = "io.vnetd.journal.query.LmdbReadJournalTest$Doubling"
                vnetd.journal.lmdb.event-adapter-bindings { "java.lang.String" = doubling }
                """);
        return PersistenceQuery.get(kit.system()).getReadJournalFor(LmdbReadJournal.class, LmdbReadJournal.Identifier);
    }

    private <T> List<T> run(org.apache.pekko.stream.javadsl.Source<T, ?> source) throws Exception {
        return source.runWith(Sink.seq(), kit.system()).toCompletableFuture().get(TIMEOUT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void currentPersistenceIdsListsEveryIdEverWritten() throws Exception {
        LmdbReadJournal queries = start();
        JournalClient journal = new JournalClient(kit);
        Set<String> ids = new TreeSet<>();
        List<AtomicWrite> writes = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            String id = (i % 2 == 0 ? "Netdev|" : "Nic|") + i;
            ids.add(id);
            writes.add(JournalClient.atomic(id, 1, "created"));
        }
        journal.write(writes.toArray(AtomicWrite[]::new));
        journal.writeOk("Netdev|0", 2, "deleted");
        journal.delete("Netdev|0", Long.MAX_VALUE);

        List<String> found = run(queries.currentPersistenceIds());
        assertEquals(2_500, found.size());
        assertEquals(ids, new TreeSet<>(found));

        List<String> scaladsl = run(PersistenceQuery.get(kit.system())
                .<ScalaLmdbReadJournal>readJournalFor(ScalaLmdbReadJournal.Identifier).currentPersistenceIds().asJava());
        assertEquals(found, scaladsl);
    }

    @Test
    void currentEventsByPersistenceIdReadsARangeAcrossPages() throws Exception {
        LmdbReadJournal queries = start();
        JournalClient journal = new JournalClient(kit);
        journal.writeOk("Nic|n0", 1, JournalClient.payloads("e", 1, 250));
        journal.writeOk("Nic|n1", 1, "other");

        List<EventEnvelope> all = run(queries.currentEventsByPersistenceId("Nic|n0", 0, Long.MAX_VALUE));
        assertEquals(LongStream.rangeClosed(1, 250).boxed().toList(),
                all.stream().map(EventEnvelope::sequenceNr).toList());
        EventEnvelope first = all.getFirst();
        assertEquals("e1", first.event());
        assertEquals("Nic|n0", first.persistenceId());
        assertEquals(Offset.sequence(1), first.offset());
        assertTrue(first.timestamp() > 0);

        List<EventEnvelope> range = run(queries.currentEventsByPersistenceId("Nic|n0", 95, 205));
        assertEquals(LongStream.rangeClosed(95, 205).boxed().toList(),
                range.stream().map(EventEnvelope::sequenceNr).toList());
        assertEquals(List.of(), run(queries.currentEventsByPersistenceId("Nic|n0", 251, 300)));
        assertEquals(List.of(), run(queries.currentEventsByPersistenceId("unknown", 0, Long.MAX_VALUE)));
    }

    @Test
    void currentLastSequenceNumberIsTheHighestWrittenEvenAfterADeletion() throws Exception {
        LmdbReadJournal queries = start();
        JournalClient journal = new JournalClient(kit);
        journal.writeOk("Nic|n0", 1, JournalClient.payloads("e", 1, 7));
        journal.delete("Nic|n0", 7);

        assertEquals(Optional.of(7L), queries.currentLastSequenceNumberByPersistenceId("Nic|n0").toCompletableFuture()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(Optional.empty(), queries.currentLastSequenceNumberByPersistenceId("Nic|n1").toCompletableFuture()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void lookUpsAskedTogetherAreReadInGroupsAndEachAnsweredForItsOwnId() throws Exception {
        LmdbReadJournal queries = start();
        List<AtomicWrite> writes = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            writes.add(JournalClient.atomic("Netdev|h" + i, 1, JournalClient.payloads("e", 1, i % 7 + 1)));
        }
        new JournalClient(kit).write(writes.toArray(AtomicWrite[]::new));

        List<CompletableFuture<Optional<Long>>> answers = new ArrayList<>();
        for (int i = 0; i < 1600; i++) {
            answers.add(queries.currentLastSequenceNumberByPersistenceId("Netdev|h" + i).toCompletableFuture());
        }

        for (int i = 0; i < 1600; i++) {
            assertEquals(i < 1500 ? Optional.of((long) (i % 7 + 1)) : Optional.empty(),
                    answers.get(i).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "h" + i);
        }
    }

    @Test
    void eventsPassThroughTheJournalsEventAdapters() throws Exception {
        LmdbReadJournal queries = start();
        new JournalClient(kit).writeOk("Nic|n0", 1, "double:x", "y");

        List<EventEnvelope> events = run(queries.currentEventsByPersistenceId("Nic|n0", 0, Long.MAX_VALUE));
        assertEquals(List.of("x", "x", "y"), events.stream().map(EventEnvelope::event).toList());
        assertEquals(List.of(1L, 1L, 2L), events.stream().map(EventEnvelope::sequenceNr).toList());
        assertSame(queries, PersistenceQuery.get(kit.system())
                .getReadJournalFor(LmdbReadJournal.class, LmdbReadJournal.Identifier));
    }

    @Test
    void currentEventsBySlicesReadsEveryEntityOfATypeInOnePassAcrossPages() throws Exception {
        LmdbReadJournal queries = start();
        JournalClient journal = new JournalClient(kit);
        List<AtomicWrite> writes = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            writes.add(JournalClient.atomic("Netdev|h" + i, 1, "created" + i, "double:linked" + i));
            writes.add(JournalClient.atomic("Netdev-n2|h" + i, 1, "elsewhere"));
            writes.add(JournalClient.atomic("Nic|n" + i, 1, "nic"));
        }
        journal.write(writes.toArray(AtomicWrite[]::new));

        List<org.apache.pekko.persistence.query.typed.EventEnvelope<Object>> all = run(
                queries.currentEventsBySlices("Netdev", 0, 1023, Offset.noOffset()));

        assertEquals(250 * 3, all.size());
        assertTrue(all.stream().allMatch(e -> e.persistenceId().startsWith("Netdev|") && e.entityType().equals("Netdev")));
        List<org.apache.pekko.persistence.query.typed.EventEnvelope<Object>> h7 = all.stream()
                .filter(e -> e.persistenceId().equals("Netdev|h7")).toList();
        assertEquals(List.of("created7", "linked7", "linked7"), h7.stream().map(e -> e.event()).toList());
        assertEquals(List.of(1L, 2L, 2L), h7.stream().map(e -> e.sequenceNr()).toList());
        assertEquals(queries.sliceForPersistenceId("Netdev|h7"), h7.getFirst().slice());

        int half = queries.sliceRanges(2).getFirst().second();
        long low = run(queries.currentEventsBySlices("Netdev", 0, half, Offset.noOffset())).size();
        long high = run(queries.currentEventsBySlices("Netdev", half + 1, 1023, Offset.noOffset())).size();
        assertEquals(all.size(), low + high);
        assertEquals(List.of(), run(queries.currentEventsBySlices("Announce", 0, 1023, Offset.noOffset())));
        assertThrows(IllegalArgumentException.class,
                () -> queries.currentEventsBySlices("Netdev", 0, 1023, Offset.sequence(3)));
    }
}
