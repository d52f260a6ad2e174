package io.vnetd.journal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * The store's write-ahead log: every group of accepted requests is appended here and flushed once before any of
 * them is answered, so a group commit costs one sequential write and one flush; LMDB itself is written only at
 * checkpoints, which record in LMDB the first group they do not hold (see {@link Checkpointer}).
 *
 * <h2>Files</h2>
 * In the {@code wal} directory beside LMDB's files ({@link #directory}):
 * <pre>
 * 00000000000000000001.log   segments, numbered upwards; each is filled with zeros when created, so that
 *                            flushing an append writes its data only, never the file's size
 * spare.log                  the next segment, prepared before it is needed
 * lock                       held by the process that has the store open ({@link StoreRegistry})
 * </pre>
 * A record is {@code int32 length} (of the payload, at least 1), {@code int32 crc32c} (of the sequence and payload),
 * {@code int64 sequence} (one more than the record before, across segments), then the payload: the group's requests
 * as asked ({@link #encode}). A zero length ends a segment's records.
 *
 * <p>Only the store's writer thread appends; the checkpoint thread prepares spares and deletes old segments.
 */
final class WriteAheadLog implements AutoCloseable {

    static final int HEADER = 16;
    private static final String SPARE = "spare.log";
    private static final String SUFFIX = ".log";
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);
    private static final byte APPEND = 1;
    private static final byte DELETE_EVENTS = 2;
    private static final byte PUT_SNAPSHOT = 3;
    private static final byte DELETE_SNAPSHOTS = 4;

    private final Path dir;
    private final long segmentSize;
    private final AtomicBoolean spareReady = new AtomicBoolean();

    // Writer thread only.
    private FileChannel segment;
    private long segmentNo;
    private long position;
    private long nextSequence;
    private ByteBuffer record = ByteBuffer.allocateDirect(64 << 10);

    private WriteAheadLog(Path dir, long segmentSize, long segmentNo, long nextSequence) throws IOException {
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.nextSequence = nextSequence;
        openSegment(segmentNo, segmentSize);
    }

    /** The log's directory in the store's directory {@code storeDir}. */
    static Path directory(Path storeDir) {
        return storeDir.resolve("wal");
    }

    /** Starts a log whose first record gets {@code nextSequence}, in a segment numbered after every existing one. */
    static WriteAheadLog start(Path dir, long segmentSize, long nextSequence) throws IOException {
        Files.createDirectories(dir);
        return new WriteAheadLog(dir, segmentSize, lastSegmentNo(dir) + 1, nextSequence);
    }

    /** The sequence the next record will get: every record before it is in the log. */
    long nextSequence() {
        return nextSequence;
    }

    /** The segment being written; every segment numbered below it holds only records before {@link #nextSequence}. */
    long segmentNo() {
        return segmentNo;
    }

    /**
     * Appends the requests as one record and flushes it: once this returns they survive a crash. Throws
     * {@link NotLogged} when the log could not make room for the record (a new segment could not be created, as on a
     * full disk): nothing of it was written and the log takes the next record as if this one had never come.
     */
    void append(List<StoreWrite> writes) throws IOException {
        record.clear().position(HEADER);
        for (StoreWrite write : writes) {
            encode(write);
        }
        int length = record.position() - HEADER;
        record.putInt(0, length).putLong(8, nextSequence);
        record.putInt(4, checksum(record, 0, length)).flip();
        if (position + record.remaining() > segmentSize - Integer.BYTES) { // keep room for the zero that ends it
            roll(record.remaining() + Integer.BYTES);
        }
        long start = position;
        try {
            while (record.hasRemaining()) {
                position += segment.write(record, position);
            }
            segment.force(false);
        } catch (IOException e) {
            erase(start, e);
            throw e;
        }
        nextSequence++;
    }

    /**
     * Writes zeros over a record whose write or flush failed, so that a recovery that reads what this process wrote
     * (a restart without the machine's) finds the log ending before it, as its refusal told the caller. A flush that
     * failed once may fail again: this is best effort, and the caller still treats the log as broken.
     */
    private void erase(long start, IOException failure) {
        try {
            long at = start;
            while (at < position) {
                at += segment.write(ZEROS.duplicate().limit((int) Math.min(ZEROS.capacity(), position - at)), at);
            }
            segment.force(false);
        } catch (IOException again) {
            failure.addSuppressed(again);
        }
        position = start;
    }

    /** Writes a spare segment if there is none, so that the writer rarely waits for one. */
    void prepareSpare() throws IOException {
        if (!spareReady.get()) {
            Path tmp = dir.resolve(SPARE + ".tmp");
            Files.deleteIfExists(tmp);
            try (FileChannel spare = FileChannel.open(tmp, CREATE_NEW, WRITE)) {
                zeroFill(spare, segmentSize);
            }
            Files.move(tmp, dir.resolve(SPARE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            spareReady.set(true);
        }
    }

    /** Deletes the segments numbered below {@code segmentNo}: a checkpoint has made their records redundant. */
    void deleteSegmentsBefore(long segmentNo) throws IOException {
        for (Path p : segments(dir)) {
            if (number(p) < segmentNo) {
                Files.delete(p);
            }
        }
    }

    /** Deletes every segment and the spare: after a clean checkpoint the log holds nothing LMDB lacks. */
    void deleteAll() throws IOException {
        segment.close();
        deleteSegmentsBefore(Long.MAX_VALUE);
        Files.deleteIfExists(dir.resolve(SPARE));
        Files.deleteIfExists(dir.resolve(SPARE + ".tmp"));
    }

    @Override
    public void close() throws IOException {
        segment.close();
    }

    /**
     * Moves on to the next segment. The current one stays open until the next is ready, so that a failure (no room
     * for the new segment) leaves the log as it was, at the same place, and the next append tries again.
     */
    private void roll(int needed) throws IOException {
        long no = segmentNo + 1;
        Path path = segmentPath(dir, no);
        FileChannel next = null;
        boolean made = false;
        try {
            if (needed <= segmentSize && spareReady.getAndSet(false)) {
                try {
                    Files.move(dir.resolve(SPARE), path, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    spareReady.set(Files.exists(dir.resolve(SPARE)));
                    throw e;
                }
                made = true;
                next = FileChannel.open(path, READ, WRITE);
            } else {
                next = newSegment(path, Math.max(segmentSize, needed));
                made = true;
            }
            syncDirectory(dir); // the new name must survive a crash before a record in it is answered
        } catch (IOException e) {
            if (next != null) {
                next.close();
            }
            if (made) {
                Files.deleteIfExists(path); // never written: it holds no record
            }
            throw new NotLogged("journal log cannot start segment " + path.getFileName() + ": " + e, e);
        }
        segment.close();
        segment = next;
        segmentNo = no;
        position = 0;
    }

    private void openSegment(long no, long size) throws IOException {
        segment = newSegment(segmentPath(dir, no), size);
        syncDirectory(dir);
        segmentNo = no;
        position = 0;
    }

    /** A new segment of {@code size} zeros; on failure, none (a part-made one is deleted). */
    private static FileChannel newSegment(Path path, long size) throws IOException {
        FileChannel channel = FileChannel.open(path, CREATE_NEW, READ, WRITE);
        try {
            zeroFill(channel, size);
            return channel;
        } catch (IOException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** The log could not take a record and wrote nothing of it: it is as before the append. */
    static final class NotLogged extends IOException {
        NotLogged(String message, IOException cause) {
            super(message, cause);
        }
    }

    // ---- recovery ----------------------------------------------------------------------------------------------

    /**
     * Passes every logged group of sequence {@code from} or later to {@code sink}, in order, and returns the sequence
     * after the last. A damaged last record is a write that a crash cut short (it was never answered) and is dropped;
     * a damaged record with records after it, or a missing sequence, is refused with the file and offset named.
     */
    static long replay(Path dir, long from, Consumer<List<StoreWrite>> sink) throws IOException {
        List<Path> segments = segments(dir);
        long expected = from;
        for (int i = 0; i < segments.size(); i++) {
            Path path = segments.get(i);
            ByteBuffer bytes = readAll(path);
            int offset = 0;
            while (offset + HEADER <= bytes.limit() && bytes.getInt(offset) != 0) {
                int length = bytes.getInt(offset);
                long sequence = bytes.getLong(offset + 8);
                boolean intact = length > 0 && length <= bytes.limit() - offset - HEADER
                        && bytes.getInt(offset + 4) == checksum(bytes, offset, length);
                if (!intact) {
                    if (isTornTail(bytes, offset, segments.subList(i + 1, segments.size()))) {
                        return expected;
                    }
                    throw new JournalException("journal log damaged: the record at offset %d of %s fails its checksum and later records follow"
                            .formatted(offset, path));
                }
                if (sequence >= from) {
                    if (sequence != expected) {
                        throw new JournalException("journal log damaged: record %d expected at offset %d of %s, found %d"
                                .formatted(expected, offset, path, sequence));
                    }
                    sink.accept(decode(bytes.slice(offset + HEADER, length)));
                    expected++;
                }
                offset += HEADER + length;
            }
        }
        return expected;
    }

    /** True when nothing was written after the damaged record: the rest of its segment is zeros and no later segment holds a record. */
    private static boolean isTornTail(ByteBuffer bytes, int offset, List<Path> later) throws IOException {
        int length = bytes.getInt(offset);
        int end = length > 0 && length <= bytes.limit() - offset - HEADER ? offset + HEADER + length : bytes.limit();
        for (int at = end; at < bytes.limit(); at++) {
            if (bytes.get(at) != 0) {
                return false;
            }
        }
        for (Path p : later) {
            try (FileChannel in = FileChannel.open(p, READ)) {
                ByteBuffer first = ByteBuffer.allocate(Integer.BYTES);
                if (in.read(first, 0) == Integer.BYTES && first.getInt(0) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    // ---- the payload -------------------------------------------------------------------------------------------

    private void encode(StoreWrite write) {
        switch (write) {
            case StoreWrite.Append a -> {
                room(1 + Integer.BYTES);
                record.put(APPEND).putInt(a.events().size());
                for (StoredEvent e : a.events()) {
                    putString(e.persistenceId());
                    room(Long.BYTES + Integer.BYTES);
                    record.putLong(e.sequenceNr()).putInt(e.serializerId());
                    putBytes(e.bytes());
                }
            }
            case StoreWrite.DeleteEvents d -> {
                room(1);
                record.put(DELETE_EVENTS);
                putString(d.persistenceId());
                room(Long.BYTES);
                record.putLong(d.toSequenceNr());
            }
            case StoreWrite.PutSnapshot p -> {
                StoredSnapshot s = p.snapshot();
                room(1);
                record.put(PUT_SNAPSHOT);
                putString(s.persistenceId());
                room(2 * Long.BYTES + Integer.BYTES);
                record.putLong(s.sequenceNr()).putLong(s.timestamp()).putInt(s.serializerId());
                putBytes(s.bytes());
            }
            case StoreWrite.DeleteSnapshots d -> {
                SnapshotSelectionCriteria c = d.criteria();
                room(1);
                record.put(DELETE_SNAPSHOTS);
                putString(d.persistenceId());
                room(4 * Long.BYTES);
                record.putLong(c.maxSequenceNr()).putLong(c.maxTimestamp()).putLong(c.minSequenceNr()).putLong(c.minTimestamp());
            }
        }
    }

    /** The requests of one record's payload. */
    static List<StoreWrite> decode(ByteBuffer in) {
        List<StoreWrite> writes = new ArrayList<>();
        while (in.hasRemaining()) {
            byte tag = in.get();
            CompletableFuture<Void> none = new CompletableFuture<>();
            writes.add(switch (tag) {
                case APPEND -> {
                    int n = in.getInt();
                    List<StoredEvent> events = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        events.add(new StoredEvent(getString(in), in.getLong(), in.getInt(), getBytes(in)));
                    }
                    yield new StoreWrite.Append(events, none);
                }
                case DELETE_EVENTS -> new StoreWrite.DeleteEvents(getString(in), in.getLong(), none);
                case PUT_SNAPSHOT -> new StoreWrite.PutSnapshot(
                        new StoredSnapshot(getString(in), in.getLong(), in.getLong(), in.getInt(), getBytes(in)), none);
                case DELETE_SNAPSHOTS -> new StoreWrite.DeleteSnapshots(getString(in),
                        new SnapshotSelectionCriteria(in.getLong(), in.getLong(), in.getLong(), in.getLong()), none);
                default -> throw new JournalException("journal log damaged: unknown request type " + tag);
            });
        }
        return writes;
    }

    private void putString(String s) {
        putBytes(s.getBytes(UTF_8));
    }

    private void putBytes(byte[] bytes) {
        room(Integer.BYTES + bytes.length);
        record.putInt(bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) {
        return new String(getBytes(in), UTF_8);
    }

    private static byte[] getBytes(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return bytes;
    }

    /** Grows the record buffer to fit {@code bytes} more. */
    private void room(int bytes) {
        if (record.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(record.capacity() * 2, record.position() + bytes));
            record.flip();
            record = bigger.put(record);
        }
    }

    /** CRC32C of the sequence and the payload of the record starting at {@code start}. */
    static int checksum(ByteBuffer buffer, int start, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().limit(start + HEADER + length).position(start + 8));
        return (int) crc.getValue();
    }

    // ---- files -------------------------------------------------------------------------------------------------

    private static void zeroFill(FileChannel channel, long size) throws IOException {
        long at = 0;
        while (at < size) {
            ByteBuffer zeros = ZEROS.duplicate().limit((int) Math.min(ZEROS.capacity(), size - at));
            at += channel.write(zeros, at);
        }
        channel.force(true);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, READ)) {
            d.force(true);
        }
    }

    private static ByteBuffer readAll(Path path) throws IOException {
        try (FileChannel in = FileChannel.open(path, READ)) {
            long size = in.size();
            if (size > Integer.MAX_VALUE) {
                throw new JournalException("journal log damaged: " + path + " is larger than any segment");
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining()) {
                if (in.read(bytes) < 0) {
                    break;
                }
            }
            return bytes.flip();
        }
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> isSegment(p.getFileName().toString()))
                    .sorted((a, b) -> Long.compare(number(a), number(b)))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private static long lastSegmentNo(Path dir) throws IOException {
        List<Path> all = segments(dir);
        return all.isEmpty() ? 0 : number(all.getLast());
    }

    private static boolean isSegment(String name) {
        return name.length() == 20 + SUFFIX.length() && name.endsWith(SUFFIX)
                && name.chars().limit(20).allMatch(Character::isDigit);
    }

    static long number(Path segment) {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    static Path segmentPath(Path dir, long no) {
        return dir.resolve("%020d%s".formatted(no, SUFFIX));
    }
}
