package io.vnetd.ops.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.announce.AnnounceEvent;
import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.actors.nic.NicEvent;
import io.vnetd.journal.LmdbSettings;
import io.vnetd.journal.LmdbStore;
import io.vnetd.journal.PersistentCodec;
import io.vnetd.journal.StoredEvent;
import io.vnetd.journal.query.LmdbReadJournal;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.NicModel;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.ops.node.DataDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools' reading of an LMDB journal (the store's records decoded by {@link EventDecoder}) gives exactly the
 * events Pekko's read journal gives (PersistentRepr and {@code jackson-json} through Pekko's serializers), for every
 * event type of every entity kind.
 */
class JournalReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryEventOfEveryEntityKindAsPekkosReadJournalDoes() throws Exception {
        DataDirectory data = new DataDirectory(dir.resolve("var"));
        Files.createDirectories(data.journal());
        Map<String, List<Object>> written = journal();
        try (JournalReader reader = JournalReader.open(data, ConfigFactory.empty(), ConfigFactory.empty())) {
            var system = reader.system();
            PersistentCodec codec = new PersistentCodec(SerializationExtension.get(Adapter.toClassic(system)));
            try (LmdbStore store = LmdbStore.acquire(LmdbSettings.from(system.settings().config(), "vnetd.lmdb"))) {
                long timestamp = 1_796_000_000_000L;
                for (var entity : written.entrySet()) {
                    List<StoredEvent> records = new ArrayList<>();
                    long seq = 0;
                    for (Object event : entity.getValue()) {
                        records.add(codec.encode(PersistentRepr.apply(event, ++seq, entity.getKey(), "", false,
                                ActorRef.noSender(), "test-writer").withTimestamp(timestamp += 1001)));
                    }
                    store.append(records).join();
                }
            }
            LmdbReadJournal pekko = PersistenceQuery.get(Adapter.toClassic(system))
                    .getReadJournalFor(LmdbReadJournal.class, LmdbReadJournal.Identifier);
            assertEquals(List.copyOf(written.keySet()).stream().sorted().toList(), reader.persistenceIds());
            Set<Class<?>> seen = new java.util.HashSet<>();
            for (String id : reader.persistenceIds()) {
                List<JournalEvent> expected = JournalReader.await(pekko.currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)
                        .map(e -> new JournalEvent(e.persistenceId(), e.sequenceNr(), e.timestamp(), e.event()))
                        .runWith(Sink.seq(), system));
                List<JournalEvent> fast = reader.events(id);
                assertEquals(expected, fast, id);
                assertEquals(written.get(id), fast.stream().map(JournalEvent::event).toList(), id);
                fast.forEach(e -> seen.add(e.event().getClass()));
            }
            Map<String, List<JournalEvent>> readAhead = new java.util.LinkedHashMap<>();
            reader.forEachEntity(reader.persistenceIds(), readAhead::put);
            assertEquals(reader.persistenceIds(), List.copyOf(readAhead.keySet()));
            for (String id : reader.persistenceIds()) {
                assertEquals(reader.events(id), readAhead.get(id), id);
            }
            Set<Class<?>> every = Stream.of(NetdevEvent.class, NicEvent.class, AnnounceEvent.class)
                    .flatMap(type -> Arrays.stream(type.getPermittedSubclasses())).collect(Collectors.toSet());
            assertEquals(every, seen);
        }
    }

    /** Entities of each kind, and between them every event type there is. */
    private static Map<String, List<Object>> journal() {
        MacAddress mac = MacAddress.of("52:54:00:12:34:56");
        NicConfig nic = new NicConfig("vnic", Optional.of("vnic"), NicModel.VIRTIO_NET_PCI, Optional.of("h0"), mac,
                "/machine/peripheral/vnic", Optional.empty(), Optional.empty(), false);
        return Map.of(
                "Netdev|h0", List.of(
                        new NetdevEvent.Created(new NetdevConfig.Hubport("h0", 0, Optional.empty()), 1, 1),
                        new NetdevEvent.PeerAttached(NetClientRef.nic("vnic")),
                        new NetdevEvent.LinkSet(false),
                        new NetdevEvent.LinkSet(true, List.of(NetClientRef.nic("vnic"))),
                        new NetdevEvent.LinkSetCompleted(),
                        new NetdevEvent.PeerDetached(),
                        new NetdevEvent.Deleted()),
                "Netdev|s0", List.of(
                        new NetdevEvent.Created(new NetdevConfig.Socket("s0", Optional.empty(), Optional.of("127.0.0.1:5555"),
                                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), 2, 0)),
                "Nic|vnic", List.of(
                        new NicEvent.Created(nic, 3),
                        new NicEvent.FeaturesAcked(true, false),
                        new NicEvent.RxFlagSet(RxFilter.RxFlag.PROMISC, true),
                        new NicEvent.MacTableSet(List.of(mac), List.of(MacAddress.of("01:00:5e:00:00:01")), false, true),
                        new NicEvent.MainMacSet(MacAddress.of("52:54:00:ab:cd:ef")),
                        new NicEvent.VlanSet(42, true),
                        new NicEvent.RxFilterChangeNotified(),
                        new NicEvent.RxFilterNotifyRearmed(),
                        new NicEvent.LinkSet(false),
                        new NicEvent.GuestReset(),
                        new NicEvent.PeerDeleted(),
                        new NicEvent.Deleted()),
                "Announce|vnic", List.of(
                        new AnnounceEvent.Started(new AnnounceParameters(50, 550, 5, 100,
                                Optional.of(List.of("vnic")), Optional.of("t")), 1000),
                        new AnnounceEvent.RoundSent(1050),
                        new AnnounceEvent.Cancelled()));
    }
}
