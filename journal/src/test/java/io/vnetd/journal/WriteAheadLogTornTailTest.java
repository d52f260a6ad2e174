package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's last record cut short at every byte, in both forms a crash leaves it: the segment's preallocated zeros
 * where the record's end should be, and a file that ends there. Replay returns every record before it and drops it;
 * a bit flipped in a record with records after it is refused with the record's place named.
 */
class WriteAheadLogTornTailTest {

    private static final int RECORDS = 5;

    @TempDir
    Path dir;

    @Test
    void aLastRecordCutAtAnyByteIsDroppedAndTheOthersReplay() throws IOException {
        Path log = dir.resolve("wal");
        try (WriteAheadLog wal = WriteAheadLog.start(log, 1 << 16, 1)) {
            for (int i = 0; i < RECORDS; i++) {
                wal.append(List.of(new StoreWrite.Append(List.of(new StoredEvent("entity-" + i, 1, 4, payload(40 + i))),
                        new CompletableFuture<>())));
            }
        }
        Path segment;
        try (var files = Files.list(log)) {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".log")).findFirst().orElseThrow();
        }
        byte[] pristine = Files.readAllBytes(segment);
        int last = 0;
        int end = 0;
        while (ByteBuffer.wrap(pristine).getInt(end) != 0) {
            last = end;
            end += WriteAheadLog.HEADER + ByteBuffer.wrap(pristine).getInt(end);
        }
        for (int cut = last; cut < end; cut++) {
            Files.write(segment, pristine);
            try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.allocate(end - cut), cut);
            }
            assertReplaysAllButTheLast(log, "zeros from byte " + (cut - last));
            Files.write(segment, pristine);
            try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                channel.truncate(cut);
            }
            assertReplaysAllButTheLast(log, "file ending at byte " + (cut - last));
        }

        Files.write(segment, pristine);
        Path copy = dir.resolve("flipped.log");
        Files.copy(segment, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, WriteAheadLog.HEADER + 5);
            channel.write(b.put(0, (byte) (b.get(0) ^ 0x10)).rewind(), WriteAheadLog.HEADER + 5);
        }
        JournalException refused = assertThrows(JournalException.class, () -> WriteAheadLog.replay(log, 1, writes -> { }));
        assertEquals("journal log damaged: the record at offset 0 of " + segment + " fails its checksum and later records follow",
                refused.getMessage());
    }

    /** Bytes none of which is zero: a cut that leaves zeros must change the record. */
    private static byte[] payload(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0x5a);
        return bytes;
    }

    private static void assertReplaysAllButTheLast(Path log, String cut) throws IOException {
        List<String> replayed = new ArrayList<>();
        long next = WriteAheadLog.replay(log, 1, writes -> writes.forEach(w ->
                replayed.add(((StoreWrite.Append) w).events().getFirst().persistenceId())));
        assertEquals(List.of("entity-0", "entity-1", "entity-2", "entity-3"), replayed, cut);
        assertEquals(RECORDS, next, cut);
    }
}
