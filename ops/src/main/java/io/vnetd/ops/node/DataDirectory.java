package io.vnetd.ops.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The daemon's data directory: journal, default QMP socket and log. */
public record DataDirectory(Path root) {

    public DataDirectory {
        root = root.toAbsolutePath().normalize();
    }

    public Path journal() {
        return root.resolve("journal");
    }

    public Path defaultQmpSocket() {
        return root.resolve("qmp.sock");
    }

    public Path logFile() {
        return root.resolve("vnetd.log");
    }

    /**
     * Takes the directory for this process: LMDB allows one writing process per journal. Held until
     * the process exits (the kernel releases it even after {@code kill -9}).
     *
     * @throws StartupException naming the process that holds it
     */
    public FileLock lock() {
        Path lockFile = root.resolve("lock");
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.US_ASCII).trim();
                channel.close();
                throw new StartupException("data directory '" + root + "' is in use by another vnetd"
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")"));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
            return lock;
        } catch (IOException e) {
            throw new StartupException("cannot lock data directory '" + root + "': " + e.getMessage());
        }
    }

    /** Creates the directory if needed and proves it writable, or fails with a one-line reason. */
    public DataDirectory prepare() {
        try {
            Files.createDirectories(root);
            Files.createDirectories(journal());
            Path probe = Files.createTempFile(root, ".write-probe", "");
            Files.delete(probe);
            return this;
        } catch (IOException | SecurityException e) {
            throw new StartupException("cannot use data directory '" + root + "': " + reason(e));
        }
    }

    private static String reason(Exception e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            case java.nio.file.FileAlreadyExistsException f -> "a file of that name is in the way";
            default -> e.getMessage();
        };
    }
}
