package io.vnetd.ops.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
