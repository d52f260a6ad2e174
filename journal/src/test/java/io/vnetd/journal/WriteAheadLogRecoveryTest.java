package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The write-ahead log after a crash: a writing process is killed with SIGKILL after some of its writes were
 * answered, and the store opened afterwards must hold every answered write, whatever the crash left in LMDB's file
 * and at the log's tail.
 */
class WriteAheadLogRecoveryTest {

    private static final int WRITERS = 4;
    private static final int ACKS_BEFORE_KILL = 3_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "checkpoint every {0} ms")
    @ValueSource(longs = {3_600_000, 5})
    void everyAnsweredWriteSurvivesAKill(long checkpointMillis) throws Exception {
        Map<String, Long> acked = killWhileWriting(checkpointMillis);

        assertHoldsEveryAnsweredWrite(acked);
    }

    @Test
    void aSecondProcessCannotOpenTheJournal() throws Exception {
        Process writer = startWriter(3_600_000);
        try {
            awaitLine(writer, "open");
            JournalException e = assertThrows(JournalException.class,
                    () -> LmdbStore.acquire(TestSupport.settings(dir, 64 << 20)));
            assertEquals("the journal in " + dir.toRealPath() + " is open in another process", e.getMessage());
        } finally {
            writer.destroyForcibly().waitFor();
        }
    }

    @Test
    void aRecordCutShortAtTheTailIsDropped() throws Exception {
        Map<String, Long> acked = killWhileWriting(3_600_000);
        Path segment = lastSegmentWithRecords();
        long end = endOfRecords(segment);
        try (FileChannel log = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ByteBuffer torn = ByteBuffer.allocate(WriteAheadLog.HEADER + 10).putInt(0, 500).putInt(4, 1234).putLong(8, 99);
            log.write(torn, end);
        }

        assertHoldsEveryAnsweredWrite(acked);
    }

    @Test
    void aDamagedRecordWithRecordsAfterItIsRefusedByName() throws Exception {
        killWhileWriting(3_600_000);
        Path segment = firstSegmentWithRecords();
        try (FileChannel log = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            log.read(b, WriteAheadLog.HEADER + 3);
            log.write(b.put(0, (byte) ~b.get(0)).rewind(), WriteAheadLog.HEADER + 3);
        }

        JournalException e = assertThrows(JournalException.class,
                () -> LmdbStore.acquire(TestSupport.settings(dir, 256L << 20)));
        assertEquals("journal log damaged: the record at offset 0 of " + segment.toRealPath()
                + " fails its checksum and later records follow", e.getMessage());
    }

    @Test
    void checkpointsCutTheLogAndACleanCloseLeavesNone() throws Exception {
        LmdbSettings settings = new LmdbSettings("vnetd.lmdb", dir, 256L << 20, 126, 2, 1024, 64 << 10, Duration.ofMillis(5), 16 << 20);
        try (LmdbStore store = LmdbStore.acquire(settings)) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (long seq = 1; seq <= 20_000; seq++) {
                writes.add(store.append(List.of(new StoredEvent("p" + seq % 16, seq / 16 + 1, 4, new byte[200]))));
                if (seq % 64 == 0) {
                    writes.getLast().join(); // about 600 groups of 13 KiB: some 120 segments without checkpoints
                }
            }
            writes.forEach(CompletableFuture::join);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (segments().size() > 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(segments().size() <= 3, "segments left: " + segments());
            assertTrue(store.counters().checkpoints() >= 2, store.counters().toString());
        }
        assertEquals(List.of(), segments());

        try (LmdbStore store = LmdbStore.acquire(settings)) {
            assertEquals(1_251, store.highestSequenceNr("p0"));
        }
    }

    /** Writes wait in memory for a checkpoint; a fast writer brings it early, so that memory stays bounded. */
    @Test
    void aFastWriterIsCheckpointedByGrowth() throws Exception {
        LmdbSettings settings = new LmdbSettings("vnetd.lmdb", dir, 256L << 20, 126, 2, 1024, 1 << 20,
                Duration.ofHours(1), 64 << 10);
        try (LmdbStore store = LmdbStore.acquire(settings)) {
            for (long seq = 1; seq <= 5_000; seq++) { // 1.3 MB of events and keys
                store.append(List.of(new StoredEvent("p" + seq % 16, seq / 16 + 1, 4, new byte[200]))).join();
            }
            // the interval is an hour: every checkpoint before the close came from growth
            assertTrue(store.counters().checkpoints() >= 3, store.counters().toString());
            assertEquals(313, store.highestSequenceNr("p0"));
            assertEquals(312, store.events("p0", 1, Long.MAX_VALUE, Integer.MAX_VALUE).size()); // 2..313
        }
    }

    // ---- the crash -------------------------------------------------------------------------------------------

    /** Starts the writer, reads its acknowledgements, kills it with SIGKILL; returns the last answered seq per id. */
    private Map<String, Long> killWhileWriting(long checkpointMillis) throws Exception {
        Process writer = startWriter(checkpointMillis);
        Map<String, Long> acked = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream()))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int count = 0;
            for (String line = out.readLine(); line != null && count < ACKS_BEFORE_KILL; line = out.readLine()) {
                assertTrue(System.nanoTime() < deadline, "the writer was too slow: " + count + " answers in 60 s");
                String[] words = line.split(" ");
                if (words[0].equals("acked")) {
                    acked.merge(words[1], Long.parseLong(words[2]), Math::max);
                    count++;
                }
            }
            assertEquals(ACKS_BEFORE_KILL, count, "answers read before the writer ended by itself");
            writer.destroyForcibly(); // SIGKILL: no close, no clean checkpoint
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
        } finally {
            writer.destroyForcibly();
        }
        return acked;
    }

    private Process startWriter(long checkpointMillis) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AckingWriter.class.getName(),
                dir.toString(), Long.toString(checkpointMillis), Integer.toString(WRITERS)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void awaitLine(Process process, String expected) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.equals(expected)) {
                return;
            }
        }
        throw new AssertionError("the process ended before printing " + expected);
    }

    private void assertHoldsEveryAnsweredWrite(Map<String, Long> acked) {
        assertEquals(WRITERS, acked.size(), acked::toString);
        try (LmdbStore store = LmdbStore.acquire(TestSupport.settings(dir, 256L << 20))) {
            for (Map.Entry<String, Long> id : acked.entrySet()) {
                List<StoredEvent> events = store.events(id.getKey(), 1, Long.MAX_VALUE, Integer.MAX_VALUE);
                assertTrue(events.size() >= id.getValue(), id + ": " + events.size() + " events back");
                for (int i = 0; i < events.size(); i++) {
                    StoredEvent e = events.get(i);
                    assertEquals(i + 1, e.sequenceNr());
                    assertEquals(100 + (int) (e.sequenceNr() % 200), e.bytes().length);
                    assertArrayEquals(new byte[] {(byte) e.sequenceNr()}, new byte[] {e.bytes()[0]});
                }
            }
        }
    }

    // ---- the log's files -------------------------------------------------------------------------------------

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            return files.filter(p -> p.getFileName().toString().matches("\\d{20}\\.log")).sorted().toList();
        }
    }

    private Path firstSegmentWithRecords() throws IOException {
        return segments().stream().filter(p -> endOfRecords(p) > 0).findFirst().orElseThrow();
    }

    private Path lastSegmentWithRecords() throws IOException {
        return segments().stream().filter(p -> endOfRecords(p) > 0).reduce((a, b) -> b).orElseThrow();
    }

    /** The offset after a segment's last record. */
    private static long endOfRecords(Path segment) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
            int offset = 0;
            while (offset + WriteAheadLog.HEADER <= bytes.limit() && bytes.getInt(offset) > 0) {
                offset += WriteAheadLog.HEADER + bytes.getInt(offset);
            }
            return offset;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
