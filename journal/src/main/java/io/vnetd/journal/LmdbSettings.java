package io.vnetd.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one LMDB environment, read from a block such as {@code vnetd.lmdb} (documented in reference.conf).
 *
 * @param configPath where the block was read from, so messages can name the key to change
 * @param dir the directory holding data.mdb and lock.mdb
 * @param mapSize the size of the memory map: the most the store can hold
 * @param maxReaders slots in LMDB's reader table, shared by every process using the directory
 * @param readThreads threads serving reads
 * @param maxBatch most write requests committed in one transaction
 * @param logSegmentSize the size of each write-ahead log segment, written with zeros ahead of use
 * @param checkpointInterval how often what was logged is written into LMDB, so that the log can be cut
 * @param checkpointGrowth how many bytes of logged writes may wait for a checkpoint before it comes early
 */
public record LmdbSettings(String configPath, Path dir, long mapSize, int maxReaders, int readThreads, int maxBatch,
                           long logSegmentSize, Duration checkpointInterval, long checkpointGrowth) {

    private static final long MIN_SEGMENT = 64 << 10;

    public LmdbSettings {
        atLeastOne(configPath, "map-size", mapSize);
        atLeastOne(configPath, "max-readers", maxReaders);
        atLeastOne(configPath, "read-threads", readThreads);
        atLeastOne(configPath, "max-batch", maxBatch);
        if (logSegmentSize < MIN_SEGMENT) {
            throw new IllegalArgumentException(configPath + ".log-segment-size must be at least 64 KiB, not " + logSegmentSize);
        }
        atLeastOne(configPath, "checkpoint-growth", checkpointGrowth);
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException(configPath + ".checkpoint-interval must be positive, not " + checkpointInterval);
        }
    }

    /** Reads the block at {@code configPath} of {@code root}, e.g. {@code from(system.settings().config(), "vnetd.lmdb")}. */
    public static LmdbSettings from(Config root, String configPath) {
        Config c = root.getConfig(configPath);
        return new LmdbSettings(configPath, Path.of(c.getString("dir")), c.getBytes("map-size"),
                c.getInt("max-readers"), c.getInt("read-threads"), c.getInt("max-batch"),
                c.getBytes("log-segment-size"), c.getDuration("checkpoint-interval"), c.getBytes("checkpoint-growth"));
    }

    /** The map size the way people write it: "1 GiB", "512 MiB", "1000 B". */
    String mapSizeText() {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        long n = mapSize;
        int unit = 0;
        while (unit < units.length - 1 && n % 1024 == 0) {
            n /= 1024;
            unit++;
        }
        return n + " " + units[unit];
    }

    private static void atLeastOne(String configPath, String key, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(configPath + "." + key + " must be at least 1, not " + value);
        }
    }
}
