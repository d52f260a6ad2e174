package io.vnetd.journal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * The writes that are durable in the log but not yet in LMDB, kept in memory so that reads see them.
 *
 * <p>Two generations: the writer adds to the {@code active} one; a checkpoint freezes it into {@code applying}, applies
 * that to LMDB in one transaction and then drops it. A reader takes both generations first and LMDB second: whatever
 * a checkpoint did in between, it sees every write, some maybe twice, and the merges below read a write seen twice as
 * once (events by sequence number; snapshot puts and deletes, and event deletes, replayed in order onto a state that
 * may already hold them give that state again).
 */
final class Overlay {

    /** One persistence id's pending writes, replaced whole on every change (readers hold old ones safely). */
    record Pending(EventRun events, long deletedTo, List<StoreWrite> snapshotWrites, boolean created) {

        static final Pending NONE = new Pending(EventRun.EMPTY, 0, List.of(), false);

        long highestSequenceNr() {
            return Math.max(deletedTo, events.lastSequenceNr());
        }

        private Pending withEvents(List<StoredEvent> appended) {
            return new Pending(events.plus(appended), deletedTo, snapshotWrites, true);
        }

        private Pending with(StoreWrite write) {
            return switch (write) {
                case StoreWrite.Append a -> throw new IllegalArgumentException("appends go by persistence id");
                case StoreWrite.DeleteEvents d -> new Pending(events, Math.max(deletedTo, d.toSequenceNr()),
                        snapshotWrites, created);
                case StoreWrite.PutSnapshot p -> new Pending(events, deletedTo, append(snapshotWrites, p), true);
                case StoreWrite.DeleteSnapshots d -> new Pending(events, deletedTo, append(snapshotWrites, d), created);
            };
        }

        private static List<StoreWrite> append(List<StoreWrite> list, StoreWrite write) {
            List<StoreWrite> more = new ArrayList<>(list.size() + 1);
            more.addAll(list);
            more.add(write);
            return List.copyOf(more);
        }
    }

    /**
     * One id's pending events in sequence order: the first {@code count} of {@code array}. Appending in order writes
     * past the end of the shared array and publishes a longer run, so it costs O(1) however many events wait, and a
     * reader holding a shorter run never looks past its own count. Only the writer appends, always to the newest run.
     */
    record EventRun(StoredEvent[] array, int count) {

        static final EventRun EMPTY = new EventRun(new StoredEvent[0], 0);

        long lastSequenceNr() {
            return count == 0 ? 0 : array[count - 1].sequenceNr();
        }

        boolean contains(long sequenceNr) {
            if (sequenceNr > lastSequenceNr()) {
                return false; // the usual question: is the next event already there
            }
            int i = indexOf(sequenceNr);
            return i < count && array[i].sequenceNr() == sequenceNr;
        }

        /** The index of the first event with a sequence number at least {@code sequenceNr}; {@code count} if none. */
        int indexOf(long sequenceNr) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (array[mid].sequenceNr() < sequenceNr) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        EventRun plus(List<StoredEvent> appended) {
            long last = lastSequenceNr();
            boolean inOrder = true;
            for (StoredEvent e : appended) {
                inOrder &= e.sequenceNr() > last;
                last = e.sequenceNr();
            }
            if (!inOrder) { // not how Pekko writes, but the store allows it: a sorted copy
                TreeMap<Long, StoredEvent> sorted = new TreeMap<>();
                for (int i = 0; i < count; i++) {
                    sorted.put(array[i].sequenceNr(), array[i]);
                }
                appended.forEach(e -> sorted.put(e.sequenceNr(), e));
                return new EventRun(sorted.values().toArray(StoredEvent[]::new), sorted.size());
            }
            StoredEvent[] target = array;
            if (count + appended.size() > target.length) {
                target = Arrays.copyOf(target, Math.max(8, Math.max(2 * target.length, count + appended.size())));
            }
            int n = count;
            for (StoredEvent e : appended) {
                target[n++] = e;
            }
            return new EventRun(target, n);
        }
    }

    /** Writes of one generation: by persistence id for reads, in order for applying. */
    static final class Generation {
        private final Map<String, Pending> byId = new ConcurrentHashMap<>();
        private final List<StoreWrite> writes = new ArrayList<>(); // writer thread, then the checkpoint thread
        private long bytes;
        private long nextSequence;
        private long segmentNo;

        Pending pending(String persistenceId) {
            return byId.getOrDefault(persistenceId, Pending.NONE);
        }

        /** The writes in the order they were logged; only once frozen. */
        List<StoreWrite> writes() {
            return writes;
        }

        /** The sequence of the first log group after this generation's writes. */
        long nextSequence() {
            return nextSequence;
        }

        /** The log segment being written when this generation was frozen: those before it hold only its writes or older. */
        long segmentNo() {
            return segmentNo;
        }

        boolean isEmpty() {
            return writes.isEmpty();
        }

        long bytes() {
            return bytes;
        }
    }

    private record Layers(Generation active, Generation applying) {}

    private static final Generation NONE = new Generation();

    private final AtomicReference<Layers> layers = new AtomicReference<>(new Layers(new Generation(), NONE));

    /** Writer thread: adds logged writes, visible to readers from now on. */
    void add(List<StoreWrite> group, long nextSequence) {
        Generation active = layers.get().active();
        for (StoreWrite write : group) {
            if (write instanceof StoreWrite.Append a) { // one append may carry several ids' events
                Map<String, List<StoredEvent>> byId = new LinkedHashMap<>();
                a.events().forEach(e -> byId.computeIfAbsent(e.persistenceId(), id -> new ArrayList<>()).add(e));
                byId.forEach((id, events) -> active.byId.put(id, active.pending(id).withEvents(events)));
            } else {
                String id = persistenceId(write);
                active.byId.put(id, active.pending(id).with(write));
            }
            active.writes.add(write);
            active.bytes += bytes(write);
        }
        active.nextSequence = nextSequence;
    }

    /**
     * Writer thread: freezes the active generation for a checkpoint, {@code segmentNo} being the log segment in use;
     * null if there is nothing to freeze or a frozen generation is still waiting to be applied.
     */
    Generation freeze(long segmentNo) {
        Layers now = layers.get();
        if (now.active().isEmpty() || !now.applying().isEmpty()) {
            return null;
        }
        now.active().segmentNo = segmentNo;
        layers.set(new Layers(new Generation(), now.active()));
        return now.active();
    }

    /** The frozen generation not yet applied (a checkpoint failed or is running), or null. */
    Generation frozen() {
        Generation applying = layers.get().applying();
        return applying.isEmpty() ? null : applying;
    }

    /** Checkpoint thread: the frozen generation is in LMDB. */
    void applied() {
        layers.updateAndGet(l -> new Layers(l.active(), NONE));
    }

    /** Bytes pending in both generations (payloads), for the journal-full check. */
    long pendingBytes() {
        Layers l = layers.get();
        return l.active().bytes() + l.applying().bytes();
    }

    /** Bytes of the active generation. */
    long activeBytes() {
        return layers.get().active().bytes();
    }

    /** A reader's view of one persistence id: the frozen generation's writes, then the active one's. */
    List<Pending> view(String persistenceId) {
        Layers l = layers.get();
        return List.of(l.applying().pending(persistenceId), l.active().pending(persistenceId));
    }

    /** Persistence ids created by pending writes, after {@code after} in UTF-8 byte order. */
    List<String> createdIdsAfter(String after) {
        Layers l = layers.get();
        byte[] from = after.getBytes(UTF_8);
        TreeSet<String> ids = new TreeSet<>(Overlay::compareUtf8);
        for (Generation g : List.of(l.applying(), l.active())) {
            g.byId.forEach((id, p) -> {
                if (p.created() && (after.isEmpty() || Arrays.compareUnsigned(id.getBytes(UTF_8), from) > 0)) {
                    ids.add(id);
                }
            });
        }
        return new ArrayList<>(ids);
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(UTF_8), b.getBytes(UTF_8));
    }

    /** Replays pending snapshot writes onto {@code snapshots} (by sequence number), in the order they were logged. */
    static void applySnapshotWrites(List<Pending> view, NavigableMap<Long, StoredSnapshot> snapshots) {
        for (Pending p : view) {
            for (StoreWrite write : p.snapshotWrites()) {
                switch (write) {
                    case StoreWrite.PutSnapshot put -> snapshots.put(put.snapshot().sequenceNr(), put.snapshot());
                    case StoreWrite.DeleteSnapshots d -> snapshots.values().removeIf(s -> matches(s, d.criteria()));
                    default -> throw new IllegalStateException("not a snapshot write: " + write);
                }
            }
        }
    }

    static boolean matches(StoredSnapshot s, SnapshotSelectionCriteria c) {
        return s.sequenceNr() >= c.minSequenceNr() && s.sequenceNr() <= c.maxSequenceNr()
                && s.timestamp() >= c.minTimestamp() && s.timestamp() <= c.maxTimestamp();
    }

    private static String persistenceId(StoreWrite write) {
        return switch (write) {
            case StoreWrite.Append a -> throw new IllegalArgumentException("appends go by persistence id");
            case StoreWrite.DeleteEvents d -> d.persistenceId();
            case StoreWrite.PutSnapshot p -> p.snapshot().persistenceId();
            case StoreWrite.DeleteSnapshots d -> d.persistenceId();
        };
    }

    /** What a write adds to LMDB's data, roughly: payloads and keys. */
    static long bytes(StoreWrite write) {
        return switch (write) {
            case StoreWrite.Append a -> {
                long sum = 0;
                for (StoredEvent e : a.events()) {
                    sum += e.bytes().length + 64L;
                }
                yield sum;
            }
            case StoreWrite.PutSnapshot p -> p.snapshot().bytes().length + 64L;
            default -> 64;
        };
    }
}
