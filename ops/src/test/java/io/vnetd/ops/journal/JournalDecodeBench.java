package io.vnetd.ops.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.journal.JournalFollower;
import io.vnetd.journal.LmdbSettings;
import io.vnetd.journal.LmdbStore;
import io.vnetd.journal.PersistentCodec;
import io.vnetd.journal.StoredEvent;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.ops.node.DataDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast the journal tools decode a journal: 1,000,000 events (10,000 hubports, each created then its link set 99
 * times, as a node journals them) written to an LMDB journal, then read back by the tools' reader
 * ({@link JournalFollower}: LMDB's records, each checksum checked) and decoded into the entities' event records by the
 * node's own serializers ({@link PersistentCodec}: Pekko's PersistentRepr, then Jackson). Prints the figures; the
 * goal is 1 M events/s. Opt-in: {@code mvn -B -o -pl ops -am test -Dvnetd.ops.groups=bench
 * -Dvnetd.ops.excludedGroups= -Dtest=JournalDecodeBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("bench")
class JournalDecodeBench {

    private static final int ENTITIES = 10_000;
    private static final int EVENTS_PER_ENTITY = 100;
    private static final int ROUNDS = 5;
    private static final int BATCH = 10_000;

    @TempDir
    Path dir;

    @Test
    void decodesAMillionEvents() throws Exception {
        Path data = dir.resolve("var");
        DataDirectory directory = new DataDirectory(data);
        ActorSystem<Void> system = JournalReader.system(ConfigFactory.empty(), ConfigFactory.empty(), directory,
                dir.resolve("bench.log"));
        try {
            PersistentCodec codec = new PersistentCodec(SerializationExtension.get(Adapter.toClassic(system)));
            long written = write(codec, directory.journal());
            System.out.printf("journal decode bench: %,d events in %,d entities, LMDB file %,d bytes%n", written,
                    ENTITIES, java.nio.file.Files.size(directory.journal().resolve("data.mdb")));
            for (int round = 1; round <= ROUNDS; round++) {
                AtomicLong records = new AtomicLong();
                long start = System.nanoTime();
                try (JournalFollower reader = JournalFollower.open(directory.journal())) {
                    reader.follow(event -> records.incrementAndGet(), Duration.ZERO, () -> false);
                }
                long read = System.nanoTime() - start;
                AtomicLong decoded = new AtomicLong();
                start = System.nanoTime();
                try (JournalFollower reader = JournalFollower.open(directory.journal())) {
                    reader.follow(event -> {
                        if (codec.decode(event).payload() instanceof NetdevEvent) {
                            decoded.incrementAndGet();
                        }
                    }, Duration.ZERO, () -> false);
                }
                long full = System.nanoTime() - start;
                EventDecoder decoder = new EventDecoder(SerializationExtension.get(Adapter.toClassic(system)),
                        JournalReader.json(system));
                AtomicLong fast = new AtomicLong();
                start = System.nanoTime();
                try (JournalFollower reader = JournalFollower.open(directory.journal())) {
                    reader.follow(event -> {
                        if (decoder.decode(event).event() instanceof NetdevEvent) {
                            fast.incrementAndGet();
                        }
                    }, Duration.ZERO, () -> false);
                }
                long tools = System.nanoTime() - start;
                assertEquals(written, records.get());
                assertEquals(written, decoded.get());
                assertEquals(written, fast.get());
                int threads = Runtime.getRuntime().availableProcessors();
                start = System.nanoTime();
                long parallel = decodeInParallel(system, directory.journal(), threads);
                long both = System.nanoTime() - start;
                assertEquals(written, parallel);
                System.out.printf("journal decode bench round %d: records read and checked %,.0f events/s;"
                                + " read, checked and decoded to events: through Pekko's serializers %,.0f events/s,"
                                + " by the tools' decoder %,.0f events/s, on %d threads %,.0f events/s%n",
                        round, rate(written, read), rate(written, full), rate(written, tools), threads,
                        rate(written, both));
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads on this thread, decodes batches on {@code threads} threads, each with its own decoder; returns how many. */
    private static long decodeInParallel(ActorSystem<Void> system, Path journal, int threads) throws Exception {
        AtomicLong decoded = new AtomicLong();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        ThreadLocal<EventDecoder> decoders = ThreadLocal.withInitial(() -> new EventDecoder(
                SerializationExtension.get(Adapter.toClassic(system)), JournalReader.json(system)));
        List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
        List<StoredEvent>[] batch = new List[] {new ArrayList<StoredEvent>(BATCH)};
        java.util.function.Consumer<List<StoredEvent>> submit = events -> pending.add(pool.submit(() -> {
            EventDecoder decoder = decoders.get();
            long n = 0;
            for (StoredEvent event : events) {
                if (decoder.decode(event).event() instanceof NetdevEvent) {
                    n++;
                }
            }
            decoded.addAndGet(n);
        }));
        try (JournalFollower reader = JournalFollower.open(journal)) {
            reader.follow(event -> {
                batch[0].add(event);
                if (batch[0].size() == BATCH) {
                    submit.accept(batch[0]);
                    batch[0] = new ArrayList<>(BATCH);
                }
            }, Duration.ZERO, () -> false);
        }
        submit.accept(batch[0]);
        for (java.util.concurrent.Future<?> f : pending) {
            f.get();
        }
        pool.shutdown();
        return decoded.get();
    }

    private static double rate(long events, long nanos) {
        return events * 1e9 / nanos;
    }

    /** Writes the journal as a node would, a thousand events per durable write; returns how many. */
    private static long write(PersistentCodec codec, Path journal) {
        LmdbSettings settings = new LmdbSettings("vnetd.lmdb", journal, 2L << 30, 126, 2, 1024, 64L << 20,
                Duration.ofSeconds(1), 256L << 20);
        long written = 0;
        try (LmdbStore store = LmdbStore.acquire(settings)) {
            List<StoredEvent> batch = new ArrayList<>();
            for (int entity = 0; entity < ENTITIES; entity++) {
                String id = "Netdev|h" + entity;
                for (int seq = 1; seq <= EVENTS_PER_ENTITY; seq++) {
                    Object event = seq == 1
                            ? new NetdevEvent.Created(new NetdevConfig.Hubport("h" + entity, entity % 64, Optional.empty()),
                                    entity, entity)
                            : new NetdevEvent.LinkSet(seq % 2 == 0);
                    batch.add(codec.encode(PersistentRepr.apply(event, seq, id, "", false, ActorRef.noSender(),
                            "bench-writer")));
                    written++;
                }
                if (batch.size() >= 1000) {
                    store.append(batch).join();
                    batch = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) {
                store.append(batch).join();
            }
        }
        return written;
    }
}
