package io.vnetd.it.announce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 10-round announcement whose daemon is killed after a few rounds: the rounds left arrive after the
 * restart, the overdue one at once and the rest on their schedule. Frames are captured where a real
 * peer would see them: a dgram backend sends them to this test's UDP socket.
 */
class AnnounceAcrossCrashIT {

    private static final byte[] RARP = HexFormat.of().parseHex(
            "ffffffffffff525400123456803500010800060400035254001234560000000052540012345600000000"
                    + "000000000000000000000000000000000000");
    private static final int ROUNDS = 10;
    private static final long DELAY_MS = 1000;

    @TempDir
    Path dataDir;

    /** One frame as the capture saw it, with its arrival time. */
    record Captured(long atNanos, byte[] frame) {
    }

    @Test
    void theRoundsLeftArriveAfterAKillOnTheirSchedule() throws Exception {
        try (DatagramSocket capture = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            capture.setSoTimeout(200);
            int capturePort = capture.getLocalPort();
            int vnetdPort = freeUdpPort();
            List<Captured> frames = new CopyOnWriteArrayList<>();
            Thread listener = Thread.ofPlatform().daemon().start(() -> listen(capture, frames));

            String[] network = {
                "-netdev", "hubport,id=h0,hubid=0",
                "-netdev", "dgram,id=d0,local.type=inet,local.host=127.0.0.1,local.port=" + vnetdPort
                        + ",remote.type=inet,remote.host=127.0.0.1,remote.port=" + capturePort,
                "-netdev", "hubport,id=h1,hubid=0,netdev=d0",
                "-device", "virtio-net-pci,id=vnic,netdev=h0,mac=52:54:00:12:34:56"};
            try (VnetdProcess daemon = VnetdProcess.start(dataDir, network);
                 QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                qmp.ok("announce-self", "{\"initial\":" + DELAY_MS + ",\"max\":" + DELAY_MS + ",\"rounds\":" + ROUNDS
                        + ",\"step\":0,\"id\":\"crash\"}");
                awaitFrames(frames, 3);
                daemon.kill();
            }
            long killedAt = System.nanoTime();
            int beforeKill = frames.size();
            try (VnetdProcess daemon = VnetdProcess.start(dataDir, network)) {
                awaitFrames(frames, ROUNDS);
                Thread.sleep(2 * DELAY_MS);
            }
            listener.interrupt();

            frames.forEach(f -> assertArrayEquals(RARP, f.frame(), "every frame is QEMU's RARP announcement"));
            // A round sent but not yet journaled when the daemon died is sent again: harmless.
            assertTrue(frames.size() == ROUNDS || frames.size() == ROUNDS + 1,
                    "10 rounds (one may repeat across the kill), got " + frames.size());
            List<Captured> after = frames.subList(beforeKill, frames.size());
            long restartGapMs = TimeUnit.NANOSECONDS.toMillis(after.getFirst().atNanos() - killedAt);
            System.out.printf("announce: %d rounds before the kill, %d after; first after the restart %d ms after the kill;"
                    + " gaps after it %s ms%n", beforeKill, after.size(), restartGapMs, gaps(after));
            for (long gap : gaps(after)) {
                assertTrue(gap > DELAY_MS / 2 && gap < DELAY_MS * 3,
                        "rounds after the restart keep their schedule of " + DELAY_MS + " ms: " + gaps(after));
            }
        }
    }

    private static List<Long> gaps(List<Captured> frames) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < frames.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(frames.get(i).atNanos() - frames.get(i - 1).atNanos()));
        }
        return gaps;
    }

    private static void listen(DatagramSocket capture, List<Captured> frames) {
        byte[] buffer = new byte[2048];
        while (!Thread.currentThread().isInterrupted()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                capture.receive(packet);
                frames.add(new Captured(System.nanoTime(), Arrays.copyOf(packet.getData(), packet.getLength())));
            } catch (SocketTimeoutException e) {
                // Wake up to check for interruption.
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void awaitFrames(List<Captured> frames, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (frames.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(frames.size() >= count, "expected " + count + " announcement frames, got " + frames.size());
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return probe.getLocalPort();
        }
    }
}
