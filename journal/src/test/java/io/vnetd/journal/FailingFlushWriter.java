package io.vnetd.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * A process run with fsync failing on demand (see {@link FailedFlushTest}): appends event 1, makes fsync fail and
 * appends event 2, lets fsync work again and appends event 3, printing "acked N" or "refused N MESSAGE" for each, then
 * halts without closing the store, as {@code kill -9} would. Arguments: directory, the flag file that makes fsync fail.
 */
public final class FailingFlushWriter {

    private FailingFlushWriter() {}

    public static void main(String[] args) throws Exception {
        Path flag = Path.of(args[1]);
        LmdbStore store = LmdbStore.acquire(
                new LmdbSettings("vnetd.lmdb", Path.of(args[0]), 64L << 20, 126, 2, 1024, 64 << 10, Duration.ofHours(1), 16 << 20));
        append(store, 1);
        Files.createFile(flag);
        append(store, 2);
        Files.delete(flag);
        append(store, 3);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static void append(LmdbStore store, long sequenceNr) {
        try {
            store.append(List.of(new StoredEvent("p", sequenceNr, 4, new byte[] {1, 2, 3}))).join();
            System.out.println("acked " + sequenceNr);
        } catch (CompletionException e) {
            System.out.println("refused " + sequenceNr + " " + e.getCause().getMessage());
        }
    }
}
