package io.vnetd.ops.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vnetd.journal.LmdbJournalVerifier;
import io.vnetd.journal.query.LmdbReadJournal;
import io.vnetd.ops.node.DataDirectory;
import io.vnetd.ops.node.StartupException;
import io.vnetd.ops.node.VnetdNode;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.LoggerFactory;

/**
 * A stopped node's journal, opened for reading through the same plugins the node writes it with
 * (so a record reads back exactly as the node would recover it). Holds the data directory's lock:
 * a running vnetd is never read behind its back.
 */
final class JournalReader implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final FileLock lock;
    private final ActorSystem<Void> system;
    private final LmdbReadJournal journal;
    private final ObjectMapper json;

    private JournalReader(FileLock lock, ActorSystem<Void> system) {
        this.lock = lock;
        this.system = system;
        this.journal = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(LmdbReadJournal.class, LmdbReadJournal.Identifier);
        this.json = JacksonObjectMapperProvider.get(Adapter.toClassic(system)).getOrCreate("jackson-json", Optional.empty());
    }

    /**
     * Opens the journal of {@code data}.
     *
     * @throws StartupException if there is no journal there, or a vnetd is running on it
     */
    static JournalReader open(DataDirectory data, Config userFile) {
        if (!Files.isDirectory(data.journal())) {
            throw new StartupException("no journal in data directory '" + data.root() + "'");
        }
        FileLock lock = data.lock();
        try {
            System.setProperty("vnetd.log.file", data.logFile().toString());
            LoggerFactory.getILoggerFactory();
            // Only the persistence plugins: no cluster to join, no port to open.
            Config local = ConfigFactory.parseString("pekko.actor.provider = local");
            Config config = VnetdNode.loadConfig(local, userFile, data);
            return new JournalReader(lock, ActorSystem.create(Behaviors.empty(), "vnetd-journal", config));
        } catch (RuntimeException e) {
            release(lock);
            throw e;
        }
    }

    /** Every persistence id, in the journal's order. */
    List<String> persistenceIds() {
        return await(journal.currentPersistenceIds().runWith(Sink.seq(), system));
    }

    /** Every event of {@code persistenceId}, oldest first. */
    List<EventEnvelope> events(String persistenceId) {
        return await(journal.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE).runWith(Sink.seq(), system));
    }

    /** Reads every record and checks its checksum and form. */
    LmdbJournalVerifier.Report verify() {
        return LmdbJournalVerifier.verify(system);
    }

    /** The JSON form events and states are journaled in. */
    ObjectMapper json() {
        return json;
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the journal", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the journal: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("reading the journal took longer than " + TIMEOUT, e);
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
            release(lock);
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
