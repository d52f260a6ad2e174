package io.vnetd.actors.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vnetd.actors.directory.EntityCatalog.Folded;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.netdev.RecordingPorts;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.actors.persistence.IdlePassivation;
import io.vnetd.model.netdev.NetdevConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A single node's directory snapshots, on the LMDB journal and its read side, with real netdev entities writing. */
class DirectorySnapshotsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SOON = Duration.ofMillis(50);
    private static final Duration NEVER = Duration.ofDays(1);

    @TempDir
    Path dir;

    private ActorTestKit testKit;
    private Path file;
    private final RecordingPorts ports = new RecordingPorts();

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create("snapshots", ConfigFactory.parseString("""
                        pekko.persistence.journal.plugin = "vnetd.journal.lmdb"
                        pekko.persistence.snapshot-store.plugin = "vnetd.snapshot-store.lmdb"
                        """)
                .withValue("vnetd.lmdb.dir", ConfigValueFactory.fromAnyRef(dir.resolve("journal").toString()))
                .withFallback(ConfigFactory.load()));
        file = dir.resolve("journal").resolve("directory.snapshot");
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private DirectorySnapshots snapshots(Duration interval) {
        return new DirectorySnapshots(Optional.of(new DirectorySnapshots.Checkpoints(file, interval)),
                new ReadJournalCatalog(testKit.system(), "vnetd.query.lmdb",
                        Set.of(NetdevEntity.TYPE_KEY.name(), NicEntity.TYPE_KEY.name()), 8),
                JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-json", Optional.empty()),
                testKit.scheduler(), testKit.system().dispatchers().lookup(DispatcherSelector.blocking()),
                LoggerFactory.getLogger(DirectorySnapshotsTest.class));
    }

    private ActorRef<NetdevCommand> netdev(String name) {
        return testKit.spawn(NetdevEntity.create(name, ports, IdlePassivation.never()));
    }

    private Confirmed ok(ActorRef<NetdevCommand> netdev,
                         Function<ActorRef<EntityReply<NetdevCommand.Done>>, NetdevCommand> command) {
        EntityReply<NetdevCommand.Done> reply = AskPattern.ask(netdev, command::apply, TIMEOUT, testKit.scheduler())
                .toCompletableFuture().join();
        return new Confirmed.OfNetdev(assertInstanceOf(NetdevCommand.Done.class, reply));
    }

    private static NetdevConfig hubport(String id, int hub) {
        return new NetdevConfig.Hubport(id, hub, Optional.empty());
    }

    private static Folded<NetdevState> present(long sequenceNr, NetdevConfig config, boolean linkUp, long ordinal) {
        return new Folded<>(sequenceNr, new NetdevState.Present(config, linkUp, Optional.empty(), ordinal, ordinal));
    }

    private static DirectorySnapshot recover(DirectorySnapshots snapshots) {
        return snapshots.recover().toCompletableFuture().join();
    }

    private void awaitSnapshotOf(DirectorySnapshot expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!snapshots(NEVER).read().equals(Optional.of(expected))) {
            assertTrue(System.nanoTime() < deadline, "no snapshot of " + expected + " written");
            Thread.sleep(20);
        }
    }

    @Test
    void aStartWithoutASnapshotFoldsEveryEventAndASnapshotOfItIsWrittenSoonAfter() throws Exception {
        var x = netdev("x");
        ok(x, replyTo -> new NetdevCommand.Create(hubport("x", 0), 1, 1, replyTo));
        ok(x, replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        ok(netdev("y"), replyTo -> new NetdevCommand.Create(hubport("y", 0), 2, 2, replyTo));

        DirectorySnapshot recovered = recover(snapshots(SOON));

        assertEquals(Map.of("x", present(2, hubport("x", 0), false, 1), "y", present(1, hubport("y", 0), true, 2)),
                recovered.netdevs());
        assertEquals(Map.of(), recovered.nics());
        awaitSnapshotOf(recovered);
    }

    @Test
    void aStartTakesEachEntityFromTheSnapshotAndFoldsOnlyTheEventsWrittenAfterIt() throws Exception {
        var x = netdev("x");
        var y = netdev("y");
        ok(x, replyTo -> new NetdevCommand.Create(hubport("x", 0), 1, 1, replyTo));
        ok(y, replyTo -> new NetdevCommand.Create(hubport("y", 0), 2, 2, replyTo));
        // A snapshot that says something else of x and y at the sequence numbers the journal has: a start that
        // reads their events would not see it.
        snapshots(NEVER).write(new DirectorySnapshot(Map.of("x", present(1, hubport("x", 7), true, 1),
                "y", present(1, hubport("y", 7), true, 2)), Map.of()));
        ok(y, replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        ok(x, NetdevCommand.Delete::new);
        ok(netdev("z"), replyTo -> new NetdevCommand.Create(hubport("z", 1), 3, 3, replyTo));

        DirectorySnapshot recovered = recover(snapshots(NEVER));

        assertEquals(Map.of("x", new Folded<NetdevState>(2, new NetdevState.Absent()),
                "y", present(2, hubport("y", 7), false, 2),
                "z", present(1, hubport("z", 1), true, 3)), recovered.netdevs());
    }

    @Test
    void aCheckpointFoldsOnTheEntitiesTheDirectoryConfirmedChangesOfAndAStartTheRest() throws Exception {
        var x = netdev("x");
        var y = netdev("y");
        ok(x, replyTo -> new NetdevCommand.Create(hubport("x", 0), 1, 1, replyTo));
        ok(y, replyTo -> new NetdevCommand.Create(hubport("y", 0), 2, 2, replyTo));
        DirectorySnapshots snapshots = snapshots(SOON);
        awaitSnapshotOf(recover(snapshots));

        Confirmed xDown = ok(x, replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        // An event the directory did not confirm: the checkpoint does not look y up.
        ok(y, replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        snapshots.changed(List.of(xDown));

        awaitSnapshotOf(new DirectorySnapshot(Map.of("x", present(2, hubport("x", 0), false, 1),
                "y", present(1, hubport("y", 0), true, 2)), Map.of()));
        assertEquals(Map.of("x", present(2, hubport("x", 0), false, 1), "y", present(2, hubport("y", 0), false, 2)),
                recover(snapshots(NEVER)).netdevs(), "a start looks every entity up");
    }

    @Test
    void aSnapshotOfAnotherJournalOrDamagedCostsReadingTheEventsNeverAState() throws Exception {
        var x = netdev("x");
        ok(x, replyTo -> new NetdevCommand.Create(hubport("x", 0), 1, 1, replyTo));
        ok(x, replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        DirectorySnapshot fromEvents = new DirectorySnapshot(Map.of("x", present(2, hubport("x", 0), false, 1)),
                Map.of());
        // Further than this journal goes, and of an entity it never had.
        snapshots(NEVER).write(new DirectorySnapshot(Map.of("x", present(5, hubport("x", 7), true, 1),
                "ghost", present(1, hubport("ghost", 0), true, 9)), Map.of()));
        assertEquals(fromEvents, recover(snapshots(NEVER)));

        snapshots(NEVER).write(new DirectorySnapshot(Map.of("x", present(2, hubport("x", 7), true, 1)), Map.of()));
        byte[] content = Files.readAllBytes(file);
        content[content.length - 20] ^= 0x01;
        Files.write(file, content);
        assertEquals(fromEvents, recover(snapshots(NEVER)), "a flipped bit");

        Files.write(file, Arrays.copyOf(content, content.length / 2));
        assertEquals(fromEvents, recover(snapshots(NEVER)), "a torn write");

        Files.writeString(file, "vnetd-directory-snapshot 2 00000000 0\n");
        assertEquals(fromEvents, recover(snapshots(NEVER)), "another format");
    }

    @Test
    void theBodyStreamsOutBeforeItsHeaderAndAnUnpaddedHeaderIsStillRead() throws Exception {
        DirectorySnapshot written = new DirectorySnapshot(Map.of("x", present(2, hubport("x", 7), true, 1)), Map.of());
        Files.createDirectories(file.getParent());
        snapshots(NEVER).write(written);
        String content = Files.readString(file, StandardCharsets.ISO_8859_1);
        int newline = content.indexOf('\n');
        String[] header = content.substring(0, newline).split(" ");
        assertEquals(12, header[3].length(), "the length is zero-padded: the header is written after the body");
        assertEquals(Optional.of(written), snapshots(NEVER).read());

        // As the builds before wrote it.
        Files.writeString(file, String.join(" ", header[0], header[1], header[2], Long.toString(Long.parseLong(header[3])))
                + content.substring(newline), StandardCharsets.ISO_8859_1);
        assertEquals(Optional.of(written), snapshots(NEVER).read());
    }
}
