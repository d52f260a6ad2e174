package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower reads a store that another process writes. The writer runs in a child JVM because LMDB forbids
 * opening one environment twice in a process (its file locks are per process).
 */
class JournalFollowerTest {

    private static final int BIG_EVENT = 64 << 10;

    @TempDir
    Path dir;

    /**
     * The follower opens a small store; the writer then grows LMDB's file far past lmdbjava's 1 MiB default map, and
     * later past the map the follower adopted, by restarting with a larger map. Every event still comes out once.
     */
    @Test
    void followsAStoreThatGrowsPastItsMap() throws Exception {
        write(4 << 20, 1, 1, 100);
        try (JournalFollower follower = JournalFollower.open(dir)) {
            write(4 << 20, 2, 40, BIG_EVENT);
            write(64 << 20, 41, 100, BIG_EVENT);
            assertTrue(Files.size(dir.resolve("data.mdb")) > 4 << 20, "LMDB grew past the first map");

            List<StoredEvent> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            follower.follow(seen::add, Duration.ofMillis(10), () -> seen.size() < 100 && System.nanoTime() < deadline);
            assertEquals(100, seen.size());
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(i + 1, seen.get(i).sequenceNr());
                assertEquals(i == 0 ? 100 : BIG_EVENT, seen.get(i).bytes().length);
            }
        }
    }

    /** Appends events {@code from..to} of {@code size} bytes to "Netdev|big" in a child JVM, checkpointed into LMDB. */
    private void write(long mapSize, long from, long to, int size) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Writer.class.getName(),
                dir.toString(), Long.toString(mapSize), Long.toString(from), Long.toString(to), Integer.toString(size)));
        Process writer = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean ended = writer.waitFor(60, TimeUnit.SECONDS);
        String output = new String(writer.getInputStream().readAllBytes());
        if (!ended) {
            writer.destroyForcibly();
        }
        assertTrue(ended && writer.exitValue() == 0, "writer failed: " + output);
    }

    /** The child JVM's side of {@link #write}. */
    public static final class Writer {
        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            long mapSize = Long.parseLong(args[1]);
            long from = Long.parseLong(args[2]);
            long to = Long.parseLong(args[3]);
            int size = Integer.parseInt(args[4]);
            try (LmdbStore store = LmdbStore.acquire(TestSupport.settings(dir, mapSize))) {
                for (long nr = from; nr <= to; nr++) {
                    store.append(List.of(new StoredEvent("Netdev|big", nr, 4, new byte[size]))).join();
                }
                store.flush().join();
            }
        }
    }
}
