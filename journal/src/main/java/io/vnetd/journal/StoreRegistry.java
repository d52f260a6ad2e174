package io.vnetd.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who has a store's directory open. In this JVM, one {@link LmdbStore} per directory (LMDB must not be opened twice by
 * one process), shared by the journal and snapshot plugins, the read journal and the verifier, and closed when its
 * last user lets go. Across processes, the file lock {@code wal/lock}, held while the store is open: one process at a
 * time may open a directory.
 */
final class StoreRegistry {

    private static final Logger log = LoggerFactory.getLogger(StoreRegistry.class);
    private static final Map<Path, Open> OPEN = new HashMap<>(); // guarded by itself, and so are users

    private static final class Open {
        final LmdbStore store;
        final FileChannel lock;
        int users;

        Open(LmdbStore store, FileChannel lock) {
            this.store = store;
            this.lock = lock;
        }
    }

    private StoreRegistry() {}

    /** See {@link LmdbStore#acquire}. */
    static LmdbStore acquire(LmdbSettings settings) {
        Path dir = prepare(settings.dir());
        synchronized (OPEN) {
            Open open = OPEN.get(dir);
            if (open == null) {
                FileChannel lock = lock(WriteAheadLog.directory(dir));
                try {
                    open = new Open(new LmdbStore(settings, dir), lock);
                } catch (RuntimeException e) {
                    closeQuietly(lock);
                    throw e;
                }
                OPEN.put(dir, open);
                log.info("LMDB journal open in {} (map size {})", dir, settings.mapSizeText());
            }
            open.users++;
            return open.store;
        }
    }

    /**
     * Lets go of the store open in {@code dir}; its last user closes it, and frees the directory once it is closed,
     * so that it can be opened again at once. Does nothing if the store is closed already.
     */
    static void release(LmdbStore store, Path dir) {
        synchronized (OPEN) {
            Open open = OPEN.get(dir);
            if (open == null || open.store != store || --open.users > 0) {
                return;
            }
            OPEN.remove(dir);
            store.shutDown();
            closeQuietly(open.lock);
        }
        log.info("LMDB journal closed in {}", dir);
    }

    /** The answer to anything asked of a closed store. */
    static JournalException closed(Path dir) {
        return new JournalException("the LMDB journal in " + dir + " is closed");
    }

    /** The directory, created if missing, as a real path, so that one directory has one key however it is named. */
    private static Path prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            Path real = dir.toRealPath();
            if (!Files.isWritable(real)) {
                throw new IOException("not writable");
            }
            return real;
        } catch (IOException e) {
            throw new JournalException("cannot use journal directory " + dir.toAbsolutePath() + ": " + e, e);
        }
    }

    private static FileChannel lock(Path walDir) {
        try {
            Files.createDirectories(walDir);
            FileChannel channel = FileChannel.open(walDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                channel.close();
                throw new JournalException("the journal in " + walDir.getParent() + " is open in another process");
            }
            return channel;
        } catch (IOException e) {
            throw new JournalException("cannot use journal directory " + walDir.getParent() + ": " + e, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("cannot close {}: {}", channel, e.toString());
        }
    }
}
