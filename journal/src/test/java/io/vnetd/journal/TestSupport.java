package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** Configuration and direct LMDB access for the tests. */
public final class TestSupport {

    public static final String JOURNAL = "vnetd.journal.lmdb";
    public static final String SNAPSHOTS = "vnetd.snapshot-store.lmdb";

    private TestSupport() {}

    /** An actor system whose default journal and snapshot store are the LMDB plugins in {@code dir}. */
    public static ActorTestKit system(Path dir, String extraConfig) {
        return ActorTestKit.create("journal-test", config(dir, extraConfig));
    }

    public static Config config(Path dir, String extraConfig) {
        return ConfigFactory.parseString(extraConfig)
                .withFallback(ConfigFactory.parseString("""
                        pekko.loglevel = WARNING
                        pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
                        pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
                        pekko.persistence.journal.plugin = "vnetd.journal.lmdb"
                        pekko.persistence.snapshot-store.plugin = "vnetd.snapshot-store.lmdb"
                        """))
                .withValue("vnetd.lmdb.dir", ConfigValueFactory.fromAnyRef(dir.toString()))
                .withFallback(ConfigFactory.load());
    }

    /** Settings for a store used without an actor system. */
    public static LmdbSettings settings(Path dir, long mapSize) {
        return new LmdbSettings("vnetd.lmdb", dir, mapSize, 126, 2, 1024, 1 << 20, Duration.ofMillis(250), 16 << 20);
    }

    /** Flips the last byte of the first journal record with this sequence number; nobody may have the store open. */
    public static void corruptRecord(Path dir, long sequenceNr) {
        try (Env<ByteBuffer> env = Env.create().setMapSize(1L << 30).setMaxDbs(5).open(dir.toFile())) {
            Dbi<ByteBuffer> journal = env.openDbi("journal");
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                boolean found = false;
                try (Cursor<ByteBuffer> c = journal.openCursor(txn)) {
                    for (boolean more = c.first(); more && !found; more = c.next()) {
                        if (c.key().getLong(8) == sequenceNr) {
                            ByteBuffer key = copy(c.key());
                            ByteBuffer value = copy(c.val());
                            int last = value.limit() - 1;
                            value.put(last, (byte) ~value.get(last));
                            journal.put(txn, key, value);
                            found = true;
                        }
                    }
                }
                assertTrue(found, "no record #" + sequenceNr);
                txn.commit();
            }
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocateDirect(b.remaining()).put(b).flip();
    }
}
