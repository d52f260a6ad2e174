package io.vnetd.journal;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * What LMDB holds on disk, as far as the write-ahead log is concerned: LMDB's state after transaction
 * {@code lmdbTransaction} is flushed, and it holds every logged record before {@code nextSequence}.
 *
 * <p>Between checkpoints LMDB is written without flushes, so after a power loss its file may hold a newer meta page
 * pointing at pages that never reached the disk. The pages of the checkpoint's state cannot be lost (they were
 * flushed, and a read transaction keeps LMDB from reusing them until the next checkpoint), so recovery puts back
 * the two meta pages as they were at the checkpoint ({@code metaPages}) and replays the log from
 * {@code nextSequence}. A {@code clean} checkpoint is written when the store closes: LMDB is then complete and is
 * opened as it is.
 *
 * <p>File: magic, flags, the two numbers, the meta pages, and a CRC32C of all of it; replaced atomically.
 */
record Checkpoint(boolean clean, long lmdbTransaction, long nextSequence, byte[] metaPages) {

    static final String FILE = "checkpoint";
    private static final long MAGIC = 0x766e6574_6477616cL; // "vnetdwal"
    private static final int FIXED = 8 + 4 + 8 + 8 + 4;

    static Optional<Checkpoint> read(Path walDir) throws IOException {
        Path path = walDir.resolve(FILE);
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(path));
        if (in.limit() < FIXED + 4 || in.getLong(0) != MAGIC || in.getInt(FIXED - 4) != in.limit() - FIXED - 4
                || in.getInt(in.limit() - 4) != crc(in, in.limit() - 4)) {
            throw new JournalException("journal log damaged: " + path + " is not a valid checkpoint");
        }
        byte[] meta = new byte[in.limit() - FIXED - 4];
        in.get(FIXED, meta);
        return Optional.of(new Checkpoint(in.getInt(8) != 0, in.getLong(12), in.getLong(20), meta));
    }

    /** Replaces the checkpoint file atomically; it is on disk when this returns. */
    void write(Path walDir) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(FIXED + metaPages.length + 4);
        out.putLong(MAGIC).putInt(clean ? 1 : 0).putLong(lmdbTransaction).putLong(nextSequence)
                .putInt(metaPages.length).put(metaPages);
        out.putInt(crc(out, out.position())).flip();
        Path tmp = walDir.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, CREATE, TRUNCATE_EXISTING, WRITE)) {
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.force(true);
        }
        Files.move(tmp, walDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        WriteAheadLog.syncDirectory(walDir);
    }

    /** Puts the checkpoint's meta pages back at the start of LMDB's data file, which nobody may have open. */
    void restoreMetaPages(Path dataFile) throws IOException {
        try (FileChannel data = FileChannel.open(dataFile, READ, WRITE)) {
            ByteBuffer pages = ByteBuffer.wrap(metaPages);
            while (pages.hasRemaining()) {
                data.write(pages, pages.position());
            }
            data.force(true);
        }
    }

    /** Reads the meta pages of LMDB's data file as they are now (in the page cache, flushed or not). */
    static byte[] readMetaPages(FileChannel data, int pageSize) throws IOException {
        ByteBuffer pages = ByteBuffer.allocate(2 * pageSize);
        while (pages.hasRemaining()) {
            if (data.read(pages, pages.position()) < 0) {
                throw new IOException("LMDB's data file is shorter than its two meta pages");
            }
        }
        return pages.array();
    }

    private static int crc(ByteBuffer buffer, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, length);
        return (int) crc.getValue();
    }
}
