package io.vnetd.actors.directory;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vnetd.actors.directory.EntityCatalog.Folded;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.nic.NicEvent;
import io.vnetd.actors.nic.NicState;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Snapshots of a single node's directory, so that its start reads only the events written since the last one instead
 * of every event of every entity. A snapshot is an optimisation and nothing more: each entity in it is taken only if
 * the journal has no event after its sequence number, is folded on from it if the journal has, and is folded from
 * its first event if the journal ends before it; a snapshot that is missing, damaged or of another format is ignored
 * and every event read, as without one. The journal alone stays the record of what was acknowledged.
 *
 * <p>A snapshot is written {@code interval} after the first change the directory confirms since the last one (so
 * an idle node writes none), and after a start that read events the snapshot did not hold. Writing one folds on,
 * from the previous, the entities whose changes the directory confirmed since (a look-up each, and their new
 * events), so it costs what changed, needs nothing of the directory's actor and never delays a request. An entity
 * whose event reached the journal without the directory hearing of it is still right after a start, which looks
 * every entity up. Two snapshots that overlap (one slower than the interval) each write a valid one; the later
 * rename wins.
 *
 * <p>The file: one ASCII line {@code vnetd-directory-snapshot 1 <crc32c as 8 hex digits> <body length>}, then the
 * body, the {@link DirectorySnapshot} as JSON (the entities' states in the forms their snapshots have). It is
 * written to a sibling file, forced to disk and renamed over the old one, so a crash leaves one or the other whole.
 * The body streams into the file behind room left for the line (its length zero-padded to a fixed width), which is
 * written last: a node of 100,000 entities never holds its 17 MB of JSON in memory.
 */
final class DirectorySnapshots {

    /** Where snapshots are kept and how long after a change one is written. */
    record Checkpoints(Path file, Duration interval) {
    }

    private static final String FORMAT = "vnetd-directory-snapshot 1";
    private static final int LENGTH_DIGITS = 12;
    private static final int HEADER_LENGTH = header(0, 0).length;
    private static final int BODY_BUFFER = 64 << 10;
    private static final String NETDEV = NetdevEntity.TYPE_KEY.name();
    private static final String NIC = NicEntity.TYPE_KEY.name();

    private final Optional<Checkpoints> checkpoints;
    private final EntityCatalog catalog;
    private final ObjectMapper mapper;
    private final Scheduler scheduler;
    /** Where the file is read and written: those are blocking calls. */
    private final ExecutionContextExecutor blocking;
    private final Logger log;
    private final AtomicBoolean due = new AtomicBoolean();
    /** Guarded by itself: the directory's actor adds to it, a snapshot takes it. */
    private final Changes changes = new Changes();
    private volatile DirectorySnapshot last = DirectorySnapshot.EMPTY;

    /** The entities whose changes the directory confirmed since the last snapshot, by entity id. */
    private record Changes(Set<String> netdevs, Set<String> nics) {
        Changes() {
            this(new HashSet<>(), new HashSet<>());
        }

        /** Moves what this holds to a new one. */
        Changes take() {
            Changes taken = new Changes(Set.copyOf(netdevs), Set.copyOf(nics));
            netdevs.clear();
            nics.clear();
            return taken;
        }

        void add(Changes more) {
            netdevs.addAll(more.netdevs());
            nics.addAll(more.nics());
        }
    }

    DirectorySnapshots(Optional<Checkpoints> checkpoints, EntityCatalog catalog, ObjectMapper mapper,
                       Scheduler scheduler, ExecutionContextExecutor blocking, Logger log) {
        this.checkpoints = checkpoints;
        this.catalog = catalog;
        this.mapper = mapper;
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.log = log;
    }

    /**
     * Every netdev's and NIC's state: from the last snapshot and the events after it, or from every event if there
     * is no usable snapshot. A snapshot is written later if the journal held events it did not.
     */
    CompletionStage<DirectorySnapshot> recover() {
        return CompletableFuture.supplyAsync(this::read, blocking).thenCompose(snapshot -> snapshot
                .map(known -> foldOn(known).exceptionallyCompose(failure -> {
                    log.warn("could not start from the directory snapshot ({}): reading every event instead",
                            failure.toString());
                    return foldAll();
                }))
                .orElseGet(this::foldAll)
                .thenApply(recovered -> {
                    last = recovered;
                    if (!snapshot.equals(Optional.of(recovered))) {
                        changed();
                    }
                    return recovered;
                }));
    }

    /** The directory confirmed {@code confirmed}: a snapshot is written within the interval, unless one is due. */
    void changed(List<Confirmed> confirmed) {
        if (checkpoints.isEmpty()) {
            return;
        }
        synchronized (changes) {
            for (Confirmed change : confirmed) {
                // A single node's entity ids are the clients' names.
                (change instanceof Confirmed.OfNic ? changes.nics() : changes.netdevs()).add(change.client().name());
            }
        }
        changed();
    }

    /** A snapshot is due within the interval, unless one is already. */
    private void changed() {
        if (checkpoints.isPresent() && due.compareAndSet(false, true)) {
            scheduler.scheduleOnce(checkpoints.get().interval(), this::checkpoint, blocking);
        }
    }

    /** One at a time: {@code due} stays set while it runs, so the changes confirmed meanwhile wait for the next. */
    private void checkpoint() {
        Changes taken;
        synchronized (changes) {
            taken = changes.take();
        }
        DirectorySnapshot known = last;
        catalog.foldSome(NETDEV, taken.netdevs(), known.netdevs(), new NetdevState.Absent(),
                        DirectorySnapshots::applyNetdev)
                .thenCombine(catalog.foldSome(NIC, taken.nics(), known.nics(), new NicState.Absent(),
                                DirectorySnapshots::applyNic),
                        (netdevs, nics) -> new DirectorySnapshot(merged(known.netdevs(), netdevs),
                                merged(known.nics(), nics)))
                .thenAcceptAsync(snapshot -> {
                    try {
                        write(snapshot);
                        last = snapshot;
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not write " + checkpoints.get().file(), e);
                    }
                }, blocking)
                .whenComplete((done, failure) -> {
                    boolean more;
                    synchronized (changes) {
                        if (failure != null) {
                            log.warn("could not take a directory snapshot (the next one tries again): {}",
                                    failure.toString());
                            changes.add(taken);
                        }
                        more = !changes.netdevs().isEmpty() || !changes.nics().isEmpty();
                    }
                    due.set(false);
                    if (more || failure != null) {
                        changed();
                    }
                });
    }

    private static <S> Map<String, Folded<S>> merged(Map<String, Folded<S>> known, Map<String, Folded<S>> changed) {
        if (changed.isEmpty()) {
            return known;
        }
        Map<String, Folded<S>> merged = new HashMap<>(known);
        merged.putAll(changed);
        return merged;
    }

    private CompletionStage<DirectorySnapshot> foldAll() {
        return catalog.foldAll(NETDEV, new NetdevState.Absent(), DirectorySnapshots::applyNetdev)
                .thenCombine(catalog.foldAll(NIC, new NicState.Absent(), DirectorySnapshots::applyNic),
                        DirectorySnapshot::new);
    }

    private CompletionStage<DirectorySnapshot> foldOn(DirectorySnapshot known) {
        return catalog.foldFrom(NETDEV, known.netdevs(), new NetdevState.Absent(), DirectorySnapshots::applyNetdev)
                .thenCombine(catalog.foldFrom(NIC, known.nics(), new NicState.Absent(), DirectorySnapshots::applyNic),
                        DirectorySnapshot::new);
    }

    private static NetdevState applyNetdev(NetdevState state, Object event) {
        return state.apply((NetdevEvent) event);
    }

    private static NicState applyNic(NicState state, Object event) {
        return state.apply((NicEvent) event);
    }

    /** The snapshot in the file, if there is one that is whole and of this format. */
    Optional<DirectorySnapshot> read() {
        if (checkpoints.isEmpty()) {
            return Optional.empty();
        }
        Path file = checkpoints.get().file();
        try {
            byte[] content = Files.readAllBytes(file);
            int newline = indexOf(content, (byte) '\n');
            String[] header = new String(content, 0, Math.max(newline, 0), US_ASCII).split(" ");
            if (newline < 0 || header.length != 4 || !FORMAT.equals(header[0] + " " + header[1])) {
                throw new IOException("not a snapshot of this format");
            }
            int bodyLength = content.length - newline - 1;
            if (Integer.parseInt(header[3]) != bodyLength) {
                throw new IOException("the body has " + bodyLength + " bytes, the header says " + header[3]);
            }
            CRC32C crc = new CRC32C();
            crc.update(content, newline + 1, bodyLength);
            if (crc.getValue() != HexFormat.fromHexDigitsToLong(header[2])) {
                throw new IOException("checksum mismatch");
            }
            return Optional.of(mapper.readValue(content, newline + 1, bodyLength, DirectorySnapshot.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring the directory snapshot {} ({}): reading every event instead", file, e.toString());
            return Optional.empty();
        }
    }

    void write(DirectorySnapshot snapshot) throws IOException {
        Path file = checkpoints.orElseThrow().file();
        Path written = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel channel = FileChannel.open(written, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.position(HEADER_LENGTH);
            CRC32C crc = new CRC32C();
            OutputStream body = new CheckedOutputStream(
                    new BufferedOutputStream(Channels.newOutputStream(channel), BODY_BUFFER), crc);
            mapper.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(body, snapshot);
            body.flush();
            ByteBuffer header = ByteBuffer.wrap(header(crc.getValue(), channel.position() - HEADER_LENGTH));
            while (header.hasRemaining()) {
                channel.write(header, header.position());
            }
            channel.force(true);
        }
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static byte[] header(long crc, long bodyLength) {
        return (FORMAT + " " + HexFormat.of().toHexDigits((int) crc) + " "
                + String.format("%0" + LENGTH_DIGITS + "d", bodyLength) + "\n").getBytes(US_ASCII);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
