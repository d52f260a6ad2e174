package io.vnetd.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A process that writes to a store until it is killed, printing "acked ID SEQ" for every event whose write was
 * answered and "open" once the store is open. Arguments: directory, checkpoint interval in ms, writers.
 * Each writer appends events 1, 2, 3... to its own persistence id, one append at a time, as an entity does.
 */
public final class AckingWriter {

    private AckingWriter() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Duration interval = Duration.ofMillis(Long.parseLong(args[1]));
        int writers = Integer.parseInt(args[2]);
        LmdbStore store = LmdbStore.acquire(
                new LmdbSettings("vnetd.lmdb", dir, 256L << 20, 126, 2, 1024, 256 << 10, interval, 16 << 20));
        System.out.println("open");
        System.out.flush();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            chains.add(write(store, "w" + w, 1));
        }
        chains.forEach(CompletableFuture::join); // never completes: the test kills this process
    }

    private static CompletableFuture<Void> write(LmdbStore store, String id, long seq) {
        byte[] payload = new byte[100 + (int) (seq % 200)];
        payload[0] = (byte) seq;
        return store.append(List.of(new StoredEvent(id, seq, 4, payload))).thenCompose(done -> {
            synchronized (System.out) {
                System.out.println("acked " + id + " " + seq);
            }
            return write(store, id, seq + 1);
        });
    }
}
