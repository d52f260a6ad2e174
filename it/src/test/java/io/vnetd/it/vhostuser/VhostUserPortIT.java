package io.vnetd.it.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.dataplane.backend.vhostuser.Protocol;
import io.vnetd.dataplane.backend.vhostuser.VhostUserFrontend;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two vhost-user ports of a real daemon on one hub, each driven by a {@link VhostUserFrontend} as a
 * VM's would be: frames from one guest reach the other, the ports show in the listings with their
 * counters (among them the peer error of a front-end that broke the protocol), set_link down (on a netdev
 * entity recovered from the journal after it left memory) stops a guest's traffic and up restores it,
 * and after kill -9 and a restart the journaled ports listen again, the front-ends reconnect with their
 * rings where they left them, and traffic resumes.
 */
class VhostUserPortIT {

    private static final String TYPE = "__io.vnetd_vhost-user-port";
    private static final int RING = 128;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dataDir;

    @TempDir
    Path sockets;

    private String path(String id) {
        return sockets.resolve(id + ".sock").toString();
    }

    private void addNetwork(QmpClient qmp) throws IOException {
        for (String id : List.of("g0", "g1")) {
            qmp.ok("netdev_add", "{\"type\":\"" + TYPE + "\",\"id\":\"" + id + "\",\"path\":\"" + path(id) + "\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"h" + id + "\",\"hubid\":0,\"netdev\":\"" + id + "\"}");
        }
    }

    private static byte[] frame(int sequence, int length) {
        byte[] frame = new byte[length];
        byte[] header = {0x52, 0x54, 0, 0x12, 0x34, 0x57, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x08, 0x00};
        System.arraycopy(header, 0, frame, 0, header.length);
        frame[14] = (byte) (sequence >> 8);
        frame[15] = (byte) sequence;
        return frame;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** Sends {@code count} frames from {@code a} and waits until {@code b} has them all, in order. */
    private static void exchange(VhostUserFrontend a, VhostUserFrontend b, int first, int count) {
        List<byte[]> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            assertTrue(a.transmit(1, frame(first + i, 64 + i), 64 + i));
        }
        a.kick(1);
        await(count + " frames across the hub", () -> {
            got.addAll(b.received(0));
            b.fillReceive(0);
            return got.size() >= count;
        });
        for (int i = 0; i < count; i++) {
            assertArrayEquals(frame(first + i, 64 + i), got.get(i));
        }
    }

    private static JsonNode client(QmpClient qmp, String name) throws IOException {
        for (JsonNode c : qmp.ok("__io.vnetd_query-net-clients", null)) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no net client " + name);
    }

    /** As QEMU does after its back-end went away: the same memory and rings, each resumed from its used index. */
    private static void resume(VhostUserFrontend guest, String path) {
        guest.reconnect(path);
        guest.negotiate(Protocol.FEATURES);
        guest.sendMemTable();
        guest.startVring(0, guest.usedIdx(0));
        guest.startVring(1, guest.usedIdx(1));
        guest.send(Protocol.GET_QUEUE_NUM, 0, 0);
        guest.reply(Protocol.GET_QUEUE_NUM);
    }

    @Test
    void guestsOnAHubTalkObeySetLinkAndResumeAfterKillDashNine() throws Exception {
        try (VhostUserFrontend a = VhostUserFrontend.unconnected(1, RING);
             VhostUserFrontend b = VhostUserFrontend.unconnected(1, RING)) {
            // Entities leave memory after a second idle: set_link below reaches a netdev recovered from the journal.
            try (VnetdProcess daemon = VnetdProcess.startWithJvmOptions(List.of("-Dvnetd.actors.passivate-after=1s"),
                    dataDir); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                addNetwork(qmp);
                // A front-end that breaks the protocol first: its connection closes and shows as g1's peer-errors.
                try (VhostUserFrontend hostile = VhostUserFrontend.connect(path("g1"), 1, RING)) {
                    hostile.negotiate(Protocol.FEATURES);
                    hostile.sendState(Protocol.SET_VRING_NUM, 0, RING + 1);
                    assertTrue(hostile.awaitClosed(), "a ring size that is no power of two ends the connection");
                }
                await("g1's peer error listed", () -> counter(qmp, "g1", "peer-errors") == 1);
                a.reconnect(path("g0"));
                b.reconnect(path("g1"));
                a.setUp(Protocol.FEATURES);
                b.setUp(Protocol.FEATURES);
                a.fillReceive(0);
                b.fillReceive(0);
                exchange(a, b, 0, 20);
                exchange(b, a, 100, 20);

                String info = qmp.hmp("info network");
                assertTrue(info.contains("g0: index=0,type=" + TYPE + ",vhost-user-port: connected on " + path("g0")),
                        info);
                JsonNode g0 = client(qmp, "g0");
                assertEquals(TYPE, g0.get("type").asText());
                assertEquals("hg0", g0.get("peer").asText());
                assertEquals(20, g0.at("/counters/tx-frames").asLong());
                assertEquals(20, g0.at("/counters/rx-frames").asLong());
                assertEquals(0, g0.at("/counters/peer-errors").asLong());

                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
                qmp.ok("set_link", "{\"name\":\"g0\",\"up\":false}");
                assertTrue(a.transmit(1, frame(500, 64), 64));
                a.kick(1);
                await("the frame dropped at g0", () -> counter(qmp, "g0", "dropped-link-down") == 1);
                assertEquals(List.of(), b.received(0));
                qmp.ok("set_link", "{\"name\":\"g0\",\"up\":true}");
                exchange(a, b, 200, 5);

                // Nothing flushed, nothing said goodbye: the VMs keep their memory and rings.
                daemon.kill();
            }
            try (VnetdProcess daemon = VnetdProcess.start(dataDir);
                 QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                resume(a, path("g0"));
                resume(b, path("g1"));
                exchange(a, b, 300, 20);
                exchange(b, a, 400, 20);
                assertTrue(qmp.hmp("info network").contains("hg0: g0"), "the hub came back with its ports");
            }
        }
    }

    private static long counter(QmpClient qmp, String name, String counter) {
        try {
            return client(qmp, name).at("/counters/" + counter).asLong();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
