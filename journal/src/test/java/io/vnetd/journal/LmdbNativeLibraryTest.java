package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One copy of LMDB's library however often the daemon starts, never one that someone else could have replaced. */
class LmdbNativeLibraryTest {

    @TempDir
    Path tmp;

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.sorted().toList();
        }
    }

    @Test
    void everyStartUsesTheSameFileAndLeavesNothingElse() throws IOException {
        Path directory = tmp.resolve("vnetd-user");
        byte[] library = "the library".getBytes(StandardCharsets.UTF_8);

        Path first = LmdbNativeLibrary.install(directory, library);
        Path second = LmdbNativeLibrary.install(directory, library);

        assertEquals(first, second);
        assertEquals(List.of(first), files(directory));
        assertArrayEquals(library, Files.readAllBytes(first));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
    }

    @Test
    void aCopyThatChangedIsWrittenAgain() throws IOException {
        Path directory = tmp.resolve("vnetd-user");
        byte[] library = "the library".getBytes(StandardCharsets.UTF_8);
        Path file = LmdbNativeLibrary.install(directory, library);
        Files.writeString(file, "something else");

        assertEquals(file, LmdbNativeLibrary.install(directory, library));
        assertArrayEquals(library, Files.readAllBytes(file));
        assertEquals(List.of(file), files(directory));
    }

    @Test
    void aDirectoryOthersCanWriteIsRefused() throws IOException {
        Path directory = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> LmdbNativeLibrary.install(directory, new byte[] {1}));
        assertTrue(refused.getMessage().endsWith("alone (mode 0700)"), refused.getMessage());
        assertEquals(List.of(), files(directory));
    }

    @Test
    void theLibraryNamedIsTheOneLmdbjavaBundlesForThisMachine() throws IOException {
        try (InputStream bundled = getClass().getClassLoader().getResourceAsStream(LmdbNativeLibrary.bundledResource())) {
            assertNotNull(bundled, LmdbNativeLibrary.bundledResource());
        }
    }

    @Test
    void theStoreLoadsLmdbFromTheStableCopy() {
        try (LmdbStore store = LmdbStore.acquire(TestSupport.settings(tmp.resolve("data"), 1 << 20))) {
            assertNotNull(store);
            String loaded = System.getProperty(LmdbNativeLibrary.PATH_PROPERTY);
            assertNotNull(loaded);
            assertTrue(Path.of(loaded).getFileName().toString().matches("liblmdb-[0-9a-f]{16}\\.so"), loaded);
        }
    }
}
