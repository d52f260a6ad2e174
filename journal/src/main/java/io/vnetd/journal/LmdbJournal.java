package io.vnetd.journal;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko Persistence journal on LMDB ({@link LmdbStore}), plugin id {@code vnetd.journal.lmdb}. Events are serialized
 * here, on the journal actor, so an event that cannot be serialized rejects only its AtomicWrite; the store's writer
 * thread then commits the rest together with the writes of other calls.
 */
public final class LmdbJournal extends AsyncWriteJournal {

    private final LmdbStore store;
    private final PersistentCodec codec;

    public LmdbJournal(Config config) {
        store = LmdbStore.acquire(LmdbSettings.from(context().system().settings().config(), config.getString("store")));
        codec = new PersistentCodec(SerializationExtension.get(context().system()));
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        List<StoredEvent> events = new ArrayList<>();
        List<Optional<Exception>> results = new ArrayList<>();
        boolean rejected = false;
        for (AtomicWrite write : messages) {
            try {
                store.checkPersistenceId(write.persistenceId());
                List<StoredEvent> encoded = new ArrayList<>(write.size());
                for (PersistentRepr event : CollectionConverters.asJava(write.payload())) {
                    encoded.add(codec.encode(event));
                }
                events.addAll(encoded);
                results.add(Optional.empty());
            } catch (Exception e) { // serialization throws checked exceptions undeclared
                rejected = true;
                results.add(Optional.of(e));
            }
        }
        Iterable<Optional<Exception>> outcome = rejected ? results : List.of(); // empty: all written
        return events.isEmpty() ? Futures.successful(outcome) : whenDone(store.append(events), outcome);
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return FutureConverters.asScala(store.deleteEvents(persistenceId, toSequenceNr));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
            Consumer<PersistentRepr> replayCallback) {
        return FutureConverters.asScala(store.read(() -> {
            store.replay(persistenceId, fromSequenceNr, toSequenceNr, max, e -> replayCallback.accept(codec.decode(e)));
            return null;
        }));
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        return FutureConverters.asScala(store.read(() -> store.highestSequenceNr(persistenceId)));
    }

    @Override
    public void postStop() {
        store.close();
    }

    /** {@code value} once {@code done} completes; its failure passed on unwrapped, so Pekko reports the cause. */
    private static <T> Future<T> whenDone(CompletableFuture<Void> done, T value) {
        Promise<T> promise = Promise.apply();
        done.whenComplete((ok, failure) -> {
            if (failure == null) {
                promise.success(value);
            } else {
                promise.failure(failure);
            }
        });
        return promise.future();
    }
}
