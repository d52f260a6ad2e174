package io.vnetd.ops.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.journal.JournalException;
import io.vnetd.journal.PersistentCodec;
import io.vnetd.journal.StoredEvent;
import io.vnetd.ops.node.DataDirectory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tools' decoder on records that are not the node's usual ones: it decodes as Pekko does, or names the record. */
class EventDecoderTest {

    @TempDir
    Path dir;

    private ActorSystem<Void> system;
    private PersistentCodec codec;
    private EventDecoder decoder;

    @BeforeEach
    void start() {
        system = JournalReader.system(ConfigFactory.empty(), ConfigFactory.empty(), new DataDirectory(dir),
                dir.resolve("test.log"));
        codec = new PersistentCodec(SerializationExtension.get(Adapter.toClassic(system)));
        decoder = new EventDecoder(SerializationExtension.get(Adapter.toClassic(system)), JournalReader.json(system));
    }

    @AfterEach
    void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private StoredEvent record(Object event, long sequenceNr, String persistenceId, String manifest, long timestamp) {
        return codec.encode(PersistentRepr.apply(event, sequenceNr, persistenceId, manifest, false, ActorRef.noSender(),
                "test-writer").withTimestamp(timestamp));
    }

    @Test
    void aPayloadOfAnotherSerializerAndTheEnvelopesOtherFieldsDecodeAsPekkoDecodesThem() {
        StoredEvent text = record("not an event class", 7, "Netdev|h0", "adapter-manifest", 1_796_000_000_123L);
        assertEquals(new JournalEvent("Netdev|h0", 7, 1_796_000_000_123L, "not an event class"), decoder.decode(text));
        assertEquals(pekkos(text), decoder.decode(text));
        StoredEvent event = record(new NetdevEvent.LinkSet(true), 8, "Netdev|h0", "adapter-manifest", 5);
        assertEquals(new JournalEvent("Netdev|h0", 8, 5, new NetdevEvent.LinkSet(true)), decoder.decode(event));
        assertEquals(pekkos(event), decoder.decode(event));
        StoredEvent untimed = record(new NetdevEvent.LinkSet(true), 9, "Netdev|h0", "", 0);
        assertEquals(pekkos(untimed), decoder.decode(untimed));
    }

    private JournalEvent pekkos(StoredEvent stored) {
        PersistentRepr repr = codec.decode(stored);
        return new JournalEvent(repr.persistenceId(), repr.sequenceNr(), repr.timestamp(), repr.payload());
    }

    @Test
    void aCutRecordIsRefusedNamingIt() {
        StoredEvent whole = record(new NetdevEvent.LinkSet(false), 3, "Netdev|h0", "", 1);
        StoredEvent cut = new StoredEvent(whole.persistenceId(), whole.sequenceNr(), whole.serializerId(),
                Arrays.copyOf(whole.bytes(), whole.bytes().length - 5));
        JournalException e = assertThrows(JournalException.class, () -> decoder.decode(cut));
        assertTrue(e.getMessage().startsWith("journal event Netdev|h0 #3 cannot be decoded: "), e.getMessage());
    }

    @Test
    void aRecordUnderAnotherEntitysKeyIsRefused() {
        StoredEvent other = record(new NetdevEvent.LinkSet(false), 2, "Netdev|h1", "", 1);
        StoredEvent misplaced = new StoredEvent("Netdev|h0", 2, other.serializerId(), other.bytes());
        JournalException e = assertThrows(JournalException.class, () -> decoder.decode(misplaced));
        assertEquals("journal event Netdev|h0 #2 holds the record of Netdev|h1 #2", e.getMessage());
    }
}
