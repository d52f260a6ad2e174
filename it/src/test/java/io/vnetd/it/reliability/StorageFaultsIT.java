package io.vnetd.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon does when its storage fails under it: a torn log tail is dropped, a damaged old record stops the
 * start naming it, a full disk refuses changes with an error and loses nothing acknowledged, a read-only data dir
 * stops the start, and a failed flush is never acknowledged.
 */
@Tag("reliability")
class StorageFaultsIT {

    /** Checkpoints that never come on their own keep every write in the log, where the faults are made. */
    private static final String LOG_ONLY = "vnetd.lmdb.checkpoint-interval = 1h\n";
    private static final int HEADER = 16;
    private static final int TORN_PAYLOAD_CUTS = 16;

    @TempDir
    Path dir;

    /** A record of the journal's write-ahead log: its segment, where it starts and how long it is with its header. */
    record LogRecord(Path segment, int offset, int size) {
    }

    /**
     * A daemon on {@code data} that keeps its journal in the log only adds hubports h0..h4 and is killed; returns its
     * configuration file, for the starts that follow.
     */
    private Path fiveHubportsKilled(Path data) throws Exception {
        Path config = Files.writeString(dir.resolve("log-only.conf"), LOG_ONLY);
        try (VnetdProcess daemon = VnetdProcess.start(data, "--config", config.toString());
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            for (int i = 0; i < 5; i++) {
                qmp.ok("netdev_add", hubport("h" + i));
            }
            daemon.kill();
        }
        return config;
    }

    @Test
    void aTornLastRecordIsDroppedAtEveryOffsetAndTheLogGoesOn() throws Exception {
        Path pristine = dir.resolve("pristine");
        Path config = fiveHubportsKilled(pristine);
        LogRecord last = records(pristine).getLast();
        List<Integer> offsets = new ArrayList<>();
        if (Soak.ON) {
            // Every byte of the header, and the payload at TORN_PAYLOAD_CUTS even steps and its last byte: two daemon
            // starts a cut; the journal's unit test cuts at every byte of both.
            for (int at = 0; at < HEADER; at++) {
                offsets.add(at);
            }
            int payload = last.size() - HEADER;
            for (int step = 0; step < TORN_PAYLOAD_CUTS; step++) {
                offsets.add(HEADER + step * payload / TORN_PAYLOAD_CUTS);
            }
            offsets.add(last.size() - 1);
        } else {
            offsets.addAll(List.of(HEADER / 2, last.size() - 1)); // in the header, and the last byte: the journal's unit test cuts at every byte
        }
        for (int cut : offsets) {
            Path data = dir.resolve("torn-" + cut);
            copy(pristine, data);
            Path segment = data.resolve(pristine.relativize(last.segment()));
            try (FileChannel log = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                // The segment is preallocated with zeros: a write cut short leaves zeros where its end should be.
                log.write(ByteBuffer.allocate(last.size() - cut), last.offset() + cut);
            }
            try (VnetdProcess daemon = VnetdProcess.start(data, "--config", config.toString());
                 QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                assertEquals(List.of("h0", "h1", "h2", "h3"), names(qmp), "cut at byte " + cut + " of " + last);
                qmp.ok("netdev_add", hubport("h5"));
                daemon.kill();
            }
            try (VnetdProcess daemon = VnetdProcess.start(data, "--config", config.toString());
                 QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                assertEquals(List.of("h0", "h1", "h2", "h3", "h5"), names(qmp), "after the cut at byte " + cut);
            }
            deleteTree(data);
        }
        Soak.print("storage-faults", "torn tail: last record " + last.size() + " bytes, cut at " + offsets.size()
                + " offsets, each recovered without it and logged on after it");
    }

    @Test
    void aFlippedBitInAnOldLogRecordStopsTheStartNamingTheRecord() throws Exception {
        Path data = dir.resolve("data");
        Path config = fiveHubportsKilled(data);
        LogRecord old = records(data).getFirst();
        flipBit(old.segment(), old.offset() + HEADER + 3);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> VnetdProcess.start(data, "--config", config.toString()).close());
        String named = "journal log damaged: the record at offset " + old.offset() + " of " + old.segment().toRealPath()
                + " fails its checksum and later records follow";
        assertTrue(refused.getMessage().contains(named), refused.getMessage());
        Soak.print("storage-faults", "flipped bit in log record at offset " + old.offset() + ": start refused with \"" + named + "\"");
    }

    @Test
    void aFlippedBitInLmdbIsNamedAndNothingWrongIsServed() throws Exception {
        Path data = dir.resolve("data");
        try (VnetdProcess daemon = VnetdProcess.start(data); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", hubport("victim-netdev-0"));
            for (int i = 1; i < 5; i++) {
                qmp.ok("netdev_add", hubport("h" + i));
            }
            assertEquals(0, daemon.terminate(), daemon.stderr()); // a clean stop checkpoints all into LMDB
        }
        Path lmdb = data.resolve("journal").resolve("data.mdb");
        byte[] bytes = Files.readAllBytes(lmdb);
        byte[] needle = "victim-netdev-0".getBytes(StandardCharsets.UTF_8);
        List<Integer> hits = new ArrayList<>();
        for (int at = 0; at + needle.length <= bytes.length; at++) {
            if (Arrays.equals(bytes, at, at + needle.length, needle, 0, needle.length)) {
                hits.add(at);
            }
        }
        assertTrue(!hits.isEmpty(), "the netdev's name is in LMDB's file");
        // Every copy: LMDB writes pages anew, so older copies may sit in free pages beside the live one.
        for (int at : hits) {
            flipBit(lmdb, at + needle.length - 1);
        }
        String outcome;
        try (VnetdProcess daemon = VnetdProcess.start(data); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            List<String> names = names(qmp);
            assertTrue(!names.contains("victim-netdev-1"), "a damaged name was served: " + names);
            outcome = "started serving " + names;
        } catch (IllegalStateException refused) {
            assertTrue(refused.getMessage().contains("checksum"), refused.getMessage());
            outcome = "start refused: " + refused.getMessage().lines().filter(l -> l.contains("checksum")).findFirst().orElse("");
        }
        Soak.print("storage-faults", "flipped bit in LMDB in " + hits.size() + " copies of a netdev's name: " + outcome);
    }

    @Test
    void aFullDiskRefusesChangesLosesNothingAcknowledgedAndResumesWithRoom() throws Exception {
        Path mount = dir.resolve("tmpfs");
        Files.createDirectories(mount);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString()) == 0,
                "mounting a tmpfs needs root");
        try {
            Path data = mount.resolve("data");
            Path config = Files.writeString(dir.resolve("small.conf"), "vnetd.lmdb.log-segment-size = 64 KiB\n");
            List<String> acknowledged = new ArrayList<>();
            String refusal = null;
            try (VnetdProcess daemon = VnetdProcess.start(data, "--config", config.toString());
                 QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                qmp.ok("netdev_add", hubport("h0"));
                acknowledged.add("h0");
                Path filler = mount.resolve("filler");
                run("dd", "if=/dev/zero", "of=" + filler, "bs=1M", "count=32");
                for (int i = 1; i < 20_000 && refusal == null; i++) {
                    JsonNode reply = qmp.execute("netdev_add", hubport("h" + i));
                    if (reply.has("return")) {
                        acknowledged.add("h" + i);
                    } else {
                        refusal = reply.at("/error/desc").asText();
                    }
                }
                assertTrue(refusal != null, "the full disk never refused a change (" + acknowledged.size() + " acknowledged)");
                assertTrue(names(qmp).containsAll(acknowledged), "every acknowledged netdev is still there");
                Files.delete(filler);
                assertTrue(refusal.startsWith("vnetd could not journal the change: journal log cannot start segment "), refusal);
                assertTrue(refusal.contains("No space left on device"), refusal);
                JsonNode after = qmp.execute("netdev_add", hubport("resumed"));
                assertTrue(after.has("return"), "with room again, changes are taken without a restart: " + after);
                acknowledged.add("resumed");
                Soak.print("storage-faults", "full disk: " + acknowledged.size() + " acknowledged, then refused with \""
                        + refusal + "\"; with room again: " + after);
                daemon.kill();
            }
            try (VnetdProcess daemon = VnetdProcess.start(data, "--config", config.toString());
                 QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                assertTrue(names(qmp).containsAll(acknowledged), "every acknowledged netdev survived the full disk and a kill");
                qmp.ok("netdev_add", hubport("after-restart"));
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void aReadOnlyDataDirStopsTheStartWithTheReason() throws Exception {
        Path data = dir.resolve("data");
        try (VnetdProcess daemon = VnetdProcess.start(data); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", hubport("h0"));
            assertEquals(0, daemon.terminate(), daemon.stderr());
        }
        Assumptions.assumeTrue(run("mount", "--bind", data.toString(), data.toString()) == 0, "bind mounts need root");
        try {
            assertEquals(0, run("mount", "-o", "remount,ro,bind", data.toString()));
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> VnetdProcess.start(data).close());
            assertTrue(refused.getMessage().contains("Read-only file system"), refused.getMessage());
            Soak.print("storage-faults", "read-only data dir: start refused: "
                    + refused.getMessage().lines().filter(l -> l.contains("Read-only")).findFirst().orElse(""));
        } finally {
            run("umount", "-l", data.toString());
        }
        try (VnetdProcess daemon = VnetdProcess.start(data); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            assertEquals(List.of("h0"), names(qmp), "writable again, the data dir is whole");
        }
    }

    @Test
    void aFailedFlushIsNeverAcknowledged() throws Exception {
        Path library = dir.resolve("failing-fsync.so");
        // The journal's tests' library (journal/src/test/resources), found beside the module of the daemon's jar.
        Path source = VnetdProcess.jar().toAbsolutePath().getParent().getParent().getParent()
                .resolve("journal/src/test/resources/failing-fsync.c");
        int built;
        try {
            built = run("gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString(), "-ldl");
        } catch (IOException noCompiler) {
            built = -1;
        }
        Assumptions.assumeTrue(built == 0, "building the fsync fault library needs gcc (bin/install-test-deps)");
        Path flag = dir.resolve("fail-fsync");
        Path data = dir.resolve("data");
        Path config = Files.writeString(dir.resolve("log-only.conf"), LOG_ONLY);
        Map<String, String> environment = Map.of("LD_PRELOAD", library.toString(), "VNETD_FAIL_FSYNC", flag.toString());
        JsonNode failed;
        JsonNode later;
        try (VnetdProcess daemon = VnetdProcess.startWithEnvironment(environment, data, "--config", config.toString());
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", hubport("h0"));
            Files.createFile(flag);
            failed = qmp.execute("netdev_add", hubport("h1"));
            Files.delete(flag);
            later = qmp.execute("netdev_add", hubport("h2"));
            assertEquals("GenericError", failed.at("/error/class").asText(), "a failed flush is not acknowledged: " + failed);
            assertTrue(failed.at("/error/desc").asText().startsWith("vnetd could not journal the change: journal log write failed"),
                    failed.toString());
            assertEquals("GenericError", later.at("/error/class").asText(),
                    "after a failed flush no write is acknowledged until a restart: " + later);
            assertEquals(List.of("h0"), names(qmp), "the refused netdevs are not served");
            daemon.kill();
        }
        List<String> recovered;
        try (VnetdProcess daemon = VnetdProcess.start(data, "--config", config.toString());
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            recovered = names(qmp);
            assertTrue(recovered.contains("h0"), "the acknowledged netdev survived: " + recovered);
            assertTrue(!recovered.contains("h1"), "the write whose flush failed was refused and is not back: " + recovered);
            assertTrue(!recovered.contains("h2"), "a write refused after the failure never reached the log: " + recovered);
            qmp.ok("netdev_add", hubport("h3"));
        }
        Soak.print("storage-faults", "failed fsync: answered " + failed.at("/error/desc").asText() + "; next write answered "
                + later.at("/error/desc").asText() + "; after restart " + recovered);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static String hubport(String id) {
        return "{\"type\":\"hubport\",\"id\":\"" + id + "\",\"hubid\":0}";
    }

    private static List<String> names(QmpClient qmp) throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode client : qmp.ok("__io.vnetd_query-net-clients", null)) {
            names.add(client.get("name").asText());
        }
        return List.copyOf(new TreeSet<>(names));
    }

    /** The log's records in order (format: journal's WriteAheadLog: int32 length, int32 crc, int64 sequence, payload). */
    private static List<LogRecord> records(Path dataDir) throws IOException {
        List<LogRecord> records = new ArrayList<>();
        List<Path> segments;
        try (Stream<Path> files = Files.list(dataDir.resolve("journal").resolve("wal"))) {
            segments = files.filter(p -> p.getFileName().toString().matches("[0-9]{20}\\.log")).sorted().toList();
        }
        for (Path segment : segments) {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.BIG_ENDIAN);
            int offset = 0;
            while (offset + HEADER <= bytes.limit() && bytes.getInt(offset) > 0) {
                int size = HEADER + bytes.getInt(offset);
                records.add(new LogRecord(segment, offset, size));
                offset += size;
            }
        }
        assertTrue(records.size() >= 2, "the log holds the writes: " + records);
        return records;
    }

    private static void flipBit(Path file, long at) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, at);
            channel.write(b.put(0, (byte) (b.get(0) ^ 0x01)).rewind(), at);
            channel.force(true);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p));
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(p) && !p.getFileName().toString().equals("lock")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
