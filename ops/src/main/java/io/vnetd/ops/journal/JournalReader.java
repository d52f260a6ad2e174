package io.vnetd.ops.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vnetd.journal.LmdbJournalVerifier;
import io.vnetd.journal.LmdbSettings;
import io.vnetd.journal.LmdbStore;
import io.vnetd.journal.VerificationReport;
import io.vnetd.journal.postgres.PostgresJournalVerifier;
import io.vnetd.journal.query.LmdbReadJournal;
import io.vnetd.ops.node.DataDirectory;
import io.vnetd.ops.node.StartupException;
import io.vnetd.ops.node.VnetdNode;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.LoggerFactory;

/**
 * A journal opened for reading through the same plugins a node writes it with (so a record reads back exactly as the
 * node would recover it): a stopped node's LMDB journal, whose data directory lock it holds so that a running vnetd
 * is never read behind its back, or a cluster's PostgreSQL journal, which nodes may go on writing meanwhile.
 *
 * <p>An LMDB journal's events are read from the plugins' store itself (its records, checksums checked, with the
 * write-ahead log replayed at open and deletions applied, as the read journal sees them) and decoded by an
 * {@link EventDecoder}: the same events as Pekko's read journal gives, several times faster (docs/benchmarks.md).
 */
final class JournalReader implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    /** Entities read and decoded ahead of the one being handled: enough to keep both threads busy, little memory. */
    private static final int READ_AHEAD = 64;

    /** How a journal's events are read: the one thing its kinds do differently (ids come from the read journal). */
    private interface EventReader {
        List<JournalEvent> events(String persistenceId);
    }

    private final Optional<FileLock> lock;
    private final ActorSystem<Void> system;
    private final CurrentPersistenceIdsQuery ids;
    private final EventReader events;
    private final Supplier<VerificationReport> verifier;
    private final ObjectMapper json;

    private JournalReader(Optional<FileLock> lock, ActorSystem<Void> system, CurrentPersistenceIdsQuery ids,
                          EventReader events, Supplier<VerificationReport> verifier) {
        this.lock = lock;
        this.system = system;
        this.ids = ids;
        this.events = events;
        this.verifier = verifier;
        this.json = json(system);
    }

    /** The JSON form events and states are journaled in, of {@code system}'s serialization. */
    static ObjectMapper json(ActorSystem<?> system) {
        return JacksonObjectMapperProvider.get(Adapter.toClassic(system)).getOrCreate("jackson-json", Optional.empty());
    }

    /**
     * Opens the LMDB journal of {@code data}; {@code overrides} may add plugins (a copy's target).
     *
     * @throws StartupException if there is no journal there, or a vnetd is running on it
     */
    static JournalReader open(DataDirectory data, Config userFile, Config overrides) {
        if (!Files.isDirectory(data.journal())) {
            throw new StartupException("no journal in data directory '" + data.root() + "'");
        }
        FileLock lock = data.lock();
        try {
            ActorSystem<Void> system = system(overrides, userFile, data, data.logFile());
            // The read journal opens the store (replaying its write-ahead log into LMDB); the tools read that same store.
            LmdbReadJournal journal = PersistenceQuery.get(Adapter.toClassic(system))
                    .getReadJournalFor(LmdbReadJournal.class, LmdbReadJournal.Identifier);
            LmdbStore store = LmdbStore.acquire(LmdbSettings.from(system.settings().config(),
                    system.settings().config().getString(LmdbReadJournal.Identifier + ".store")));
            system.classicSystem().registerOnTermination(store::close);
            return new JournalReader(Optional.of(lock), system, journal, lmdbEvents(store, system),
                    () -> LmdbJournalVerifier.verify(system));
        } catch (RuntimeException e) {
            release(lock);
            throw e;
        }
    }

    /**
     * Opens the PostgreSQL journal {@code journal} names.
     *
     * @throws StartupException if the database cannot be reached or holds no journal
     */
    static JournalReader open(PostgresJournal journal, Config userFile, DataDirectory data) {
        journal.requireSchema();
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "vnetd-journal.log");
        ActorSystem<Void> system = system(journal.database().pluginConfig(), userFile, data, log);
        JdbcReadJournal reads = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(JdbcReadJournal.class, PostgresJournal.READ_PLUGIN);
        return new JournalReader(Optional.empty(), system, reads, pekkoEvents(reads, system),
                () -> PostgresJournalVerifier.verify(system, journal.database()));
    }

    /** Events from the store's records, by an {@link EventDecoder}. */
    private static EventReader lmdbEvents(LmdbStore store, ActorSystem<Void> system) {
        // A decoder per thread: entities are read ahead on a second thread (forEachEntity) as well as on the caller's.
        ThreadLocal<EventDecoder> decoders = ThreadLocal.withInitial(() ->
                new EventDecoder(SerializationExtension.get(Adapter.toClassic(system)), json(system)));
        return persistenceId -> {
            EventDecoder decoder = decoders.get();
            List<JournalEvent> events = new ArrayList<>();
            store.replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE, stored -> events.add(decoder.decode(stored)));
            return events;
        };
    }

    /** Events through Pekko's read journal: PostgreSQL's. */
    private static EventReader pekkoEvents(CurrentEventsByPersistenceIdQuery journal, ActorSystem<Void> system) {
        return persistenceId -> await(journal.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
                .map(e -> new JournalEvent(e.persistenceId(), e.sequenceNr(), e.timestamp(), e.event()))
                .runWith(Sink.seq(), system));
    }

    /** An actor system with the persistence plugins only: no cluster to join, no port to open. */
    static ActorSystem<Void> system(Config overrides, Config userFile, DataDirectory data, Path logFile) {
        System.setProperty("vnetd.log.file", logFile.toString());
        LoggerFactory.getILoggerFactory();
        Config local = overrides.withFallback(ConfigFactory.parseString(
                "pekko.actor.provider = local\npekko.log-dead-letters = off"));
        return ActorSystem.create(Behaviors.empty(), "vnetd-journal", VnetdNode.loadConfig(local, userFile, data));
    }

    /** Every persistence id, in the journal's order. */
    List<String> persistenceIds() {
        return await(ids.currentPersistenceIds().runWith(Sink.seq(), system));
    }

    /** Every event of {@code persistenceId}, oldest first. */
    List<JournalEvent> events(String persistenceId) {
        return events.events(persistenceId);
    }

    /**
     * Passes each entity of {@code ids} with its events to {@code sink}, in that order, as {@link #events} would give
     * them, and fails where that would. The events are read and decoded on a second thread, up to
     * {@value #READ_AHEAD} entities ahead, while {@code sink} handles the ones before (prints, counts).
     */
    void forEachEntity(List<String> ids, BiConsumer<String, List<JournalEvent>> sink) {
        BlockingQueue<Object> ahead = new ArrayBlockingQueue<>(READ_AHEAD);
        Thread reader = Thread.ofPlatform().name("vnetd-journal-read").daemon().start(() -> {
            try {
                for (String id : ids) {
                    Object read;
                    try {
                        read = events(id);
                    } catch (RuntimeException e) {
                        read = e;
                    }
                    ahead.put(read);
                    if (read instanceof RuntimeException) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the caller stopped taking: nothing more to read
            }
        });
        try {
            for (String id : ids) {
                Object read = ahead.take();
                if (read instanceof RuntimeException e) {
                    throw e;
                }
                @SuppressWarnings("unchecked")
                List<JournalEvent> events = (List<JournalEvent>) read;
                sink.accept(id, events);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the journal", e);
        } finally {
            reader.interrupt();
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Reads every record and checks that it decodes (and, in LMDB, its checksum). */
    VerificationReport verify() {
        return verifier.get();
    }

    /** The JSON form events and states are journaled in. */
    ObjectMapper json() {
        return json;
    }

    ActorSystem<Void> system() {
        return system;
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while using the journal", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("journal failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the journal took longer than " + TIMEOUT, e);
        }
    }

    @Override
    public void close() {
        try {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LoggerFactory.getLogger(JournalReader.class).warn("journal reader did not stop cleanly", e);
        } finally {
            lock.ifPresent(JournalReader::release);
        }
    }

    private static void release(FileLock lock) {
        try {
            lock.channel().close();
        } catch (IOException e) {
            LoggerFactory.getLogger(JournalReader.class).warn("cannot release the data directory lock", e);
        }
    }
}
