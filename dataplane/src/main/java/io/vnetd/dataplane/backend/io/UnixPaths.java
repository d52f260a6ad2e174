package io.vnetd.dataplane.backend.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The files of unix sockets bound in the file system: QEMU removes a stale one before it binds, and
 * vnetd removes its own when the backend closes, unless another socket has taken the path since (a
 * second server on the same path takes it over, as in QEMU).
 */
public final class UnixPaths {

    private UnixPaths() {
    }

    /**
     * Removes {@code path} if it exists.
     *
     * @throws ErrnoException {@code what: strerror} if it exists and cannot be removed
     */
    public static void unlinkStale(String path, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            if (Libc.unlink(errno, arena.allocateFrom(path)) < 0 && Libc.errno(errno) != Libc.ENOENT) {
                throw new ErrnoException(what, Libc.errno(errno));
            }
        }
    }

    /** The identity (device and inode) of the file at {@code path} now, if there is one. */
    public static Optional<Object> identity(String path) {
        try {
            return Optional.ofNullable(Files.readAttributes(Path.of(path), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Removes {@code path} if it is still the file whose {@link #identity} was {@code identity}. */
    public static void unlinkIfSame(String path, Optional<Object> identity) {
        if (identity.isPresent() && identity.equals(identity(path))) {
            try {
                Files.deleteIfExists(Path.of(path));
            } catch (IOException e) {
                // Nothing the closing netdev can do about it; the next bind removes a stale file.
            }
        }
    }
}
