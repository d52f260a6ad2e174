package io.vnetd.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where LMDB's native library is loaded from. Left to itself, lmdbjava copies the library it bundles to a new temporary
 * file at every start and deletes it only when the JVM exits cleanly, so every {@code kill -9} (and every crash a
 * supervisor restarts) leaves one more {@code lmdbjava-native-library-*.so} in {@code /tmp}. Instead the bundled
 * library is kept as one file named by its content, in a directory of this user's only ({@code vnetd-USER} under
 * {@code java.io.tmpdir}, mode 0700), checked against the bundled bytes at each start and rewritten if it differs, and
 * lmdbjava is pointed at it ({@code lmdbjava.native.lib}). A library named by the user with that property is used as
 * it is.
 */
final class LmdbNativeLibrary {

    /** lmdbjava's property naming the library file to load instead of extracting its own. */
    static final String PATH_PROPERTY = "lmdbjava.native.lib";
    /** lmdbjava's property naming which of its bundled libraries to use, such as {@code x86_64-linux-musl}. */
    private static final String EMBEDDED_PROPERTY = "lmdbjava.embedded.lib";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private static final Logger log = LoggerFactory.getLogger(LmdbNativeLibrary.class);
    private static boolean prepared; // guarded by the class

    private LmdbNativeLibrary() {}

    /**
     * Points lmdbjava at the stable copy of its library, writing it if needed; must run before lmdbjava's first use in
     * this JVM (it reads the property once). Does nothing once done, or when the user named a library. When no stable
     * copy can be made, says why in the log and leaves lmdbjava to its own extraction.
     */
    static synchronized void prepare() {
        if (prepared || System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        prepared = true;
        String resource = bundledResource();
        try (InputStream in = LmdbNativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                log.warn("LMDB's library {} is not bundled; lmdbjava will find its own", resource);
                return;
            }
            Path directory = Path.of(System.getProperty("java.io.tmpdir"), "vnetd-" + System.getProperty("user.name"));
            System.setProperty(PATH_PROPERTY, install(directory, in.readAllBytes()).toString());
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            log.warn("cannot keep LMDB's library in one place ({}); lmdbjava extracts a copy of its own at each start",
                    e.getMessage());
        }
    }

    /** The bundled library lmdbjava would extract for this platform. */
    static String bundledResource() {
        String embedded = System.getProperty(EMBEDDED_PROPERTY);
        if (embedded != null) {
            return "org/lmdbjava/native/" + embedded + ".so";
        }
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String machine = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            default -> arch;
        };
        return "org/lmdbjava/native/" + machine + "-linux-gnu.so";
    }

    /**
     * The file holding {@code library} in {@code directory} (made, owner only, if missing), named by its digest, and
     * written (to a temporary file, then renamed over it) unless it holds exactly those bytes already.
     *
     * @throws IllegalStateException if {@code directory} is not this user's alone: a library someone else can replace
     *                               must not be loaded
     */
    static Path install(Path directory, byte[] library) throws IOException {
        ensurePrivate(directory);
        byte[] digest = sha256(library);
        Path file = directory.resolve("liblmdb-" + HexFormat.of().formatHex(digest, 0, 8) + ".so");
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(digest, sha256(Files.readAllBytes(file)))) {
            return file;
        }
        Path temporary = Files.createTempFile(directory, "liblmdb-", ".part");
        try {
            Files.write(temporary, library);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return file;
    }

    private static void ensurePrivate(Path directory) throws IOException {
        try {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // Made by an earlier start, or by someone else: checked below either way.
        }
        UserPrincipal me = directory.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)
                || !Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).equals(me)
                || !Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
            throw new IllegalStateException(directory + " is not a directory of " + me.getName() + " alone (mode 0700)");
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
