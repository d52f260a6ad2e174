package io.vnetd.it.counters;

import static io.vnetd.it.support.LoopbackDgram.FRAME_LENGTH;
import static io.vnetd.it.support.LoopbackDgram.frame;
import static io.vnetd.it.support.LoopbackDgram.netdev;
import static io.vnetd.it.support.LoopbackDgram.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.interop.Ports;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's view of the frame counters of a running daemon: frames from real UDP sockets through
 * {@code dgram d0 - hp0 [hub 0] hp1 - dgram d1} (and {@code hp2}, on the hub without a peer) move
 * {@code __io.vnetd_query-net-clients}' counters and {@code info vnetd-counters}' table, and a drop
 * shows its reason.
 */
class CountersIT {

    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dir;

    @Test
    void countersMoveWhenFramesCrossAndDropsShowTheirReason() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("var"));
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket());
             DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int in = Ports.udp();
            int out = Ports.udp();
            qmp.ok("netdev_add", netdev("d0", in, port(sender)));
            qmp.ok("netdev_add", netdev("d1", out, port(receiver)));
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp0\",\"hubid\":0,\"netdev\":\"d0\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp1\",\"hubid\":0,\"netdev\":\"d1\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp2\",\"hubid\":0}");
            assertEquals("0", counter(qmp, "d0", "tx-frames"));

            InetSocketAddress to = new InetSocketAddress("127.0.0.1", in);
            sender.send(ByteBuffer.wrap(frame(1)), to);
            awaitCounter(qmp, "d1", "rx-frames", "1");
            receiver.configureBlocking(false);
            ByteBuffer got = ByteBuffer.allocate(2048);
            long deadline = System.nanoTime() + TIMEOUT_NS;
            while (receiver.receive(got) == null) {
                assertTrue(System.nanoTime() - deadline < 0, "the frame never came out of d1");
                Thread.sleep(10);
            }
            assertEquals(FRAME_LENGTH, got.position());

            JsonNode d0 = client(qmp, "d0").get("counters");
            assertEquals(1, d0.get("tx-frames").asLong());
            assertEquals(FRAME_LENGTH, d0.get("tx-bytes").asLong());
            assertEquals(0, d0.get("rx-frames").asLong());
            assertEquals(FRAME_LENGTH, client(qmp, "d1").get("counters").get("rx-bytes").asLong());
            assertEquals("1", counter(qmp, "hp0", "rx-frames"));
            assertEquals("1", counter(qmp, "hp1", "tx-frames"));
            assertEquals("1", counter(qmp, "hp2", "dropped-peer-absent"));

            qmp.ok("set_link", "{\"name\":\"d1\",\"up\":false}");
            sender.send(ByteBuffer.wrap(frame(2)), to);
            awaitCounter(qmp, "d1", "dropped-link-down", "1");
            assertEquals("1", counter(qmp, "d1", "rx-frames"), "a frame dropped is not delivered");
            assertEquals("2", counter(qmp, "d0", "tx-frames"));

            String table = qmp.hmp("info vnetd-counters");
            assertTrue(table.startsWith("name  type     link  rx-frames  rx-bytes  tx-frames  tx-bytes  peer-errors  dropped\r\n"), table);
            assertTrue(table.contains("\r\nd1    dgram    down          1        60          0         0            0  link-down=1\r\n"), table);
            assertTrue(table.contains("\r\nhp2   hubport  up            0         0          2       120            0  peer-absent=2\r\n"), table);
            assertFalse(qmp.hmp("info network").contains("rx-frames"), "info network stays QEMU's");
        }
    }

    private static JsonNode client(QmpClient qmp, String name) throws IOException {
        for (JsonNode client : qmp.ok("__io.vnetd_query-net-clients", null)) {
            if (client.get("name").asText().equals(name)) {
                return client;
            }
        }
        throw new AssertionError("no net client " + name);
    }

    private static String counter(QmpClient qmp, String name, String counter) throws IOException {
        return client(qmp, name).get("counters").get(counter).asText();
    }

    private static void awaitCounter(QmpClient qmp, String name, String counter, String value) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        String now = counter(qmp, name, counter);
        while (!value.equals(now)) {
            if (System.nanoTime() - deadline > 0) {
                fail(name + " " + counter + " stayed " + now + ", expected " + value);
            }
            Thread.sleep(20);
            now = counter(qmp, name, counter);
        }
    }
}
