package io.vnetd.journal;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Checks a whole store, for {@code ops verify}: every event and snapshot must pass its checksum and decode (payload
 * included) with the serializers of the given actor system. Reports every bad record rather than stopping at the first.
 * Safe to run while a daemon uses the same directory: it only reads.
 */
public final class LmdbJournalVerifier {

    private LmdbJournalVerifier() {}

    /** Verifies the store configured at {@code vnetd.lmdb}. */
    public static VerificationReport verify(ClassicActorSystemProvider system) {
        return verify(system, "vnetd.lmdb");
    }

    /** Verifies the store configured at {@code settingsPath} of the system's configuration. */
    public static VerificationReport verify(ClassicActorSystemProvider system, String settingsPath) {
        PersistentCodec codec = new PersistentCodec(SerializationExtension.get(system.classicSystem()));
        try (LmdbStore store = LmdbStore.acquire(
                LmdbSettings.from(system.classicSystem().settings().config(), settingsPath))) {
            return verify(store, codec);
        }
    }

    private static VerificationReport verify(LmdbStore store, PersistentCodec codec) {
        List<VerificationReport.Problem> problems = new ArrayList<>();
        long[] counts = new long[2];
        store.scan(new LmdbStore.Visitor() {
            @Override
            public void event(StoredEvent event) {
                codec.decode(event);
                counts[0]++;
            }

            @Override
            public void snapshot(StoredSnapshot snapshot) {
                codec.decode(snapshot);
                counts[1]++;
            }

            @Override
            public void corrupt(JournalCorruptException problem) {
                problems.add(new VerificationReport.Problem(problem.persistenceId(), problem.sequenceNr(), problem.getMessage()));
            }
        });
        return new VerificationReport(counts[0], counts[1], problems);
    }
}
