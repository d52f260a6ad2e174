package io.vnetd.it.bench.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * How long the disk under the data directories takes to make 4 KiB durable (write, then
 * fdatasync): the floor under every durable commit. An LMDB commit flushes twice (its pages, then
 * its meta page), so it costs at least two of these.
 */
public final class DiskProbe {

    private static final int WRITES = 200;

    private DiskProbe() {
    }

    /** A one-line summary: median and 99th percentile of write + fdatasync. */
    public static String describe(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "disk-probe", ".bin");
        long[] nanos = new long[WRITES];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer page = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < WRITES; i++) {
                long start = System.nanoTime();
                channel.write(page.clear(), 0);
                channel.force(false); // fdatasync
                nanos[i] = System.nanoTime() - start;
            }
        } finally {
            Files.delete(file);
        }
        Arrays.sort(nanos);
        return String.format("disk under the data directory: 4 KiB write + fdatasync p50 %.3f ms, p99 %.3f ms",
                Latencies.percentile(nanos, 50) / 1e6, Latencies.percentile(nanos, 99) / 1e6);
    }
}
