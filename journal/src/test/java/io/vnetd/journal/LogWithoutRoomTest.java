package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the log cannot start its next segment (a full disk; here the segment's name is taken), the write that needed
 * it is refused alone, nothing of it is logged, and the store takes writes again as soon as the segment can be made,
 * without a restart: a full disk is not a broken log.
 */
class LogWithoutRoomTest {

    private static final int SEGMENT = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void aWriteWithoutRoomForItsSegmentIsRefusedAloneAndWritingResumesWithRoom() throws Exception {
        LmdbSettings settings = new LmdbSettings("vnetd.lmdb", dir, 64L << 20, 126, 2, 1024, SEGMENT,
                Duration.ofHours(1), 64L << 20);
        Path blocker = WriteAheadLog.directory(dir).resolve("%020d.log".formatted(2));
        long acknowledged = 0;
        String refusal = null;
        try (LmdbStore store = LmdbStore.acquire(settings)) {
            Files.createDirectories(blocker.resolve("in-the-way"));
            for (int i = 0; i < 100 && refusal == null; i++) {
                try {
                    store.append(List.of(new StoredEvent("p", acknowledged + 1, 4, new byte[4096]))).join();
                    acknowledged++;
                } catch (CompletionException e) {
                    refusal = e.getCause().getMessage();
                }
            }
            assertTrue(refusal != null && refusal.startsWith("journal log cannot start segment 00000000000000000002.log: "),
                    refusal);
            String again = null;
            try {
                store.append(List.of(new StoredEvent("p", acknowledged + 1, 4, new byte[4096]))).join();
            } catch (CompletionException e) {
                again = e.getCause().getMessage();
            }
            assertTrue(again != null && again.startsWith("journal log cannot start segment"), "refused the same way: " + again);

            Files.delete(blocker.resolve("in-the-way"));
            Files.delete(blocker);
            for (int i = 0; i < 20; i++) {
                store.append(List.of(new StoredEvent("p", acknowledged + 1, 4, new byte[4096]))).join();
                acknowledged++;
            }
            assertEquals(acknowledged, store.highestSequenceNr("p"));
        }
        try (LmdbStore store = LmdbStore.acquire(settings)) {
            assertEquals(acknowledged, store.highestSequenceNr("p"), "every acknowledged write, and only those");
        }
    }
}
