package io.vnetd.qmp.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/** Creating and removing the file of a listening UNIX socket. */
final class UnixSocketFiles {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFiles() {
    }

    /** A listening socket at {@code path} and the identity of its file, for {@link #remove}. */
    record Bound(ServerSocketChannel channel, Path path, Object fileKey) {
    }

    /**
     * Listens at {@code path}, mode 0600. A socket file nobody listens on any more is removed first;
     * a live one, or any other kind of file, is left alone and refused.
     */
    static Bound bind(Path path) throws IOException {
        Path target = path.toAbsolutePath();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(target)) {
                throw new IOException("the path exists and is not a socket");
            }
            if (isLive(target)) {
                throw new IOException("in use by another process");
            }
            Files.delete(target);
        }
        // bind() creates the file with the umask's permissions. Binding under a private name,
        // restricting it, then renaming it into place means the socket can never be reached with
        // wider permissions than 0600.
        Path temporary = target.resolveSibling(".vnetd-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(temporary));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, target);
            return new Bound(channel, target, fileKey(target));
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /** Deletes the socket file unless another server has replaced it in the meantime. */
    static void remove(Bound bound) throws IOException {
        if (Files.exists(bound.path(), LinkOption.NOFOLLOW_LINKS) && Objects.equals(fileKey(bound.path()), bound.fileKey())) {
            Files.delete(bound.path());
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }

    private static boolean isLive(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }
}
