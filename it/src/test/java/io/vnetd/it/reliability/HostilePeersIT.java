package io.vnetd.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.interop.Ports;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers that break the wire formats, on ports of hub 1, while frames flow between two dgram ports of hub 0: a stream
 * peer sending a zero length, a length beyond the largest frame, a length and then nothing, and random bytes;
 * datagrams of 0 and 65,507 bytes (the most IPv4 UDP carries); l2tpv3 packets with a wrong session, a wrong cookie, or
 * cut short. Each is counted or ends only its own connection (counted in the stream netdev's {@code peer-errors}), and
 * every frame of the traffic on hub 0 arrives.
 */
@Tag("reliability")
class HostilePeersIT {

    private static final int FRAME_LENGTH = 60;
    /** The daemon's {@code maxFrameLength}: a stream length beyond it ends the connection. */
    private static final int MAX_FRAME_LENGTH = 4096 + 65536;
    private static final long SESSION = 0x1234;
    private static final long COOKIE = 0x0a0b0c0dL;

    @TempDir
    Path dir;

    @Test
    void hostilePeersAreCountedAndDroppedWhileOtherPortsKeepForwarding() throws Exception {
        long seed = Soak.seed();
        Random random = new Random(seed);
        int rounds = Soak.size(1, 20);
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("var"));
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket());
             DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel attacker = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            receiver.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            int in = Ports.udp();
            qmp.ok("netdev_add", dgram("d0", in, port(sender)));
            qmp.ok("netdev_add", dgram("d1", Ports.udp(), port(receiver)));
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp0\",\"hubid\":0,\"netdev\":\"d0\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp1\",\"hubid\":0,\"netdev\":\"d1\"}");
            int streamPort = Ports.tcp();
            qmp.ok("netdev_add", "{\"type\":\"stream\",\"id\":\"s\",\"server\":true,"
                    + "\"addr\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + streamPort + "\"}}");
            int dgramPort = Ports.udp();
            qmp.ok("netdev_add", dgram("da", dgramPort, port(attacker)));
            int l2tpPort = Ports.udp();
            qmp.ok("netdev_add", "{\"type\":\"l2tpv3\",\"id\":\"l2\",\"src\":\"127.0.0.1\",\"dst\":\"127.0.0.1\",\"udp\":true,"
                    + "\"srcport\":\"" + l2tpPort + "\",\"dstport\":\"" + port(attacker) + "\",\"txsession\":" + SESSION
                    + ",\"rxsession\":" + SESSION + ",\"txcookie\":" + COOKIE + ",\"rxcookie\":" + COOKIE + "}");
            for (String netdev : new String[] {"s", "da", "l2"}) {
                qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"h-" + netdev + "\",\"hubid\":1,\"netdev\":\"" + netdev + "\"}");
            }

            Traffic traffic = new Traffic(sender, receiver, new InetSocketAddress("127.0.0.1", in));
            Thread flow = Thread.ofPlatform().name("traffic").start(traffic);
            long closedByDaemon = 0;
            long framingBroken = 0;
            long badHeaderSent = 0;
            try {
                for (int round = 0; round < rounds; round++) {
                    InetSocketAddress stream = new InetSocketAddress("127.0.0.1", streamPort);
                    // A zero length: an empty frame, which the connection survives.
                    try (Socket peer = connect(stream)) {
                        peer.getOutputStream().write(new byte[64]);
                        peer.getOutputStream().flush();
                        assertTrue(stillOpen(peer), "a zero length ended the connection");
                    }
                    // A length beyond the largest frame ends the connection, as in QEMU.
                    closedByDaemon += sendAndAwaitClose(stream, ByteBuffer.allocate(4).putInt(0x7fff_ffff).array());
                    closedByDaemon += sendAndAwaitClose(stream, ByteBuffer.allocate(4).putInt(MAX_FRAME_LENGTH + 1).array());
                    // A length and then nothing: the connection waits, nothing else does.
                    try (Socket peer = connect(stream)) {
                        peer.getOutputStream().write(ByteBuffer.allocate(4).putInt(1500).array());
                        peer.getOutputStream().flush();
                        assertTrue(stillOpen(peer), "a partial frame ended the connection");
                        assertTrue(qmp.ok("query-version", null).has("qemu"), "QMP answers while a frame hangs half sent");
                    }
                    // Random bytes: read as lengths and frames until a length is out of range.
                    byte[] noise = new byte[64 << 10];
                    random.nextBytes(noise);
                    framingBroken += breaksFraming(noise) ? 1 : 0;
                    try (Socket peer = connect(stream)) {
                        try {
                            peer.getOutputStream().write(noise);
                        } catch (IOException closedEarly) {
                            // The daemon may close the connection before it has read everything.
                        }
                    }
                    attacker.send(ByteBuffer.allocate(0), new InetSocketAddress("127.0.0.1", dgramPort));
                    attacker.send(ByteBuffer.allocate(65_507), new InetSocketAddress("127.0.0.1", dgramPort));
                    InetSocketAddress l2tp = new InetSocketAddress("127.0.0.1", l2tpPort);
                    attacker.send(l2tpv3(SESSION + 1, COOKIE), l2tp);
                    attacker.send(l2tpv3(SESSION, COOKIE + 1), l2tp);
                    attacker.send(ByteBuffer.wrap(new byte[] {0, 0, 0}), l2tp);
                    badHeaderSent += 3;
                    attacker.send(l2tpv3(SESSION, COOKIE), l2tp);
                }
                // The good l2tpv3 packets count too: the wrong ones were dropped, not the port.
                awaitCounter(qmp, "l2", "dropped-bad-header", badHeaderSent);
                awaitCounter(qmp, "l2", "tx-frames", rounds);
                // Each oversized length, and noise that reads as one, is a connection closed for a protocol error.
                awaitCounter(qmp, "s", "peer-errors", closedByDaemon + framingBroken);
            } finally {
                traffic.stop.set(true);
                flow.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertTrue(daemon.pid() > 0 && qmp.ok("query-version", null).has("qemu"), "the daemon is up");
            JsonNode l2 = client(qmp, "l2").get("counters");
            JsonNode da = client(qmp, "da").get("counters");
            JsonNode s = client(qmp, "s").get("counters");
            assertEquals(badHeaderSent, l2.get("dropped-bad-header").asLong(), l2.toString());
            assertEquals(0, client(qmp, "d0").get("counters").get("dropped-ring-full").asLong());
            assertEquals(traffic.sent.get(), traffic.received.get(),
                    "every frame between d0 and d1 arrived during the attacks (sent " + traffic.sent + ")");
            assertEquals(2L * rounds, closedByDaemon);
            Soak.print("hostile-peers", "seed " + seed + ", rounds " + rounds + ", traffic on hub 0: sent " + traffic.sent
                    + ", received " + traffic.received + "; oversized stream lengths: " + closedByDaemon
                    + " connections closed by the daemon, random bytes: " + framingBroken + " more");
            Soak.print("hostile-peers", "stream s counters " + s);
            Soak.print("hostile-peers", "dgram da counters (0 and 65,507 byte datagrams) " + da);
            Soak.print("hostile-peers", "l2tpv3 l2 counters (wrong session, wrong cookie, short) " + l2);
        }
    }

    /** Frames from d0's peer to d1's, at a steady pace, each checked on arrival. */
    private static final class Traffic implements Runnable {
        final DatagramChannel sender;
        final DatagramChannel receiver;
        final InetSocketAddress to;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();

        Traffic(DatagramChannel sender, DatagramChannel receiver, InetSocketAddress to) {
            this.sender = sender;
            this.receiver = receiver;
            this.to = to;
        }

        @Override
        public void run() {
            try {
                receiver.configureBlocking(false);
                ByteBuffer in = ByteBuffer.allocate(2048);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (!stop.get() && System.nanoTime() - deadline < 0) {
                    ByteBuffer frame = ByteBuffer.allocate(FRAME_LENGTH);
                    frame.put(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x57, 0x52, 0x54, 0, 0x12, 0x34, 0x56});
                    frame.putShort((short) 0x88b5).putLong(sent.get()).rewind();
                    sender.send(frame, to);
                    sent.incrementAndGet();
                    drain(in);
                    Thread.sleep(1);
                }
                long last = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (received.get() < sent.get() && System.nanoTime() - last < 0) {
                    drain(in);
                    Thread.sleep(5);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        private void drain(ByteBuffer in) throws IOException {
            while (receiver.receive(in.clear()) != null) {
                if (in.position() == FRAME_LENGTH) {
                    received.incrementAndGet();
                }
            }
        }
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(1_000);
        return socket;
    }

    /** Whether the daemon keeps the connection open for a second. */
    private static boolean stillOpen(Socket peer) throws IOException {
        try {
            return peer.getInputStream().read() != -1;
        } catch (SocketTimeoutException open) {
            return true;
        }
    }

    /** 1 if the daemon closed the connection within 10 s of {@code bytes}. */
    private static int sendAndAwaitClose(InetSocketAddress address, byte[] bytes) throws IOException {
        try (Socket peer = connect(address)) {
            OutputStream out = peer.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = peer.getInputStream();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() - deadline < 0) {
                try {
                    if (in.read() == -1) {
                        return 1;
                    }
                } catch (SocketTimeoutException stillOpen) {
                    // wait on
                } catch (IOException reset) {
                    return 1;
                }
            }
            return 0;
        }
    }

    /** Whether a stream server reading {@code bytes} meets a length beyond the largest frame before they run out. */
    private static boolean breaksFraming(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        while (in.remaining() >= 4) {
            int length = in.getInt();
            if (length < 0 || length > MAX_FRAME_LENGTH) {
                return true;
            }
            if (length > in.remaining()) {
                return false;
            }
            in.position(in.position() + length);
        }
        return false;
    }

    /** An L2TPv3 over UDP data packet (RFC 3931: 4 bytes of flags, session id, 32-bit cookie) carrying a small frame. */
    private static ByteBuffer l2tpv3(long session, long cookie) {
        ByteBuffer packet = ByteBuffer.allocate(12 + FRAME_LENGTH);
        packet.putInt(0x0003_0000).putInt((int) session).putInt((int) cookie);
        packet.put(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x58, 0x52, 0x54, 0, 0x12, 0x34, 0x59});
        return packet.rewind();
    }

    private static int port(DatagramChannel channel) throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    private static String dgram(String id, int local, int remote) {
        return "{\"type\":\"dgram\",\"id\":\"" + id + "\","
                + "\"local\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + local + "\"},"
                + "\"remote\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + remote + "\"}}";
    }

    private static JsonNode client(QmpClient qmp, String name) throws IOException {
        for (JsonNode client : qmp.ok("__io.vnetd_query-net-clients", null)) {
            if (client.get("name").asText().equals(name)) {
                return client;
            }
        }
        throw new AssertionError("no net client " + name);
    }

    private static void awaitCounter(QmpClient qmp, String name, String counter, long value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long now = client(qmp, name).get("counters").get(counter).asLong();
        while (now != value && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
            now = client(qmp, name).get("counters").get(counter).asLong();
        }
        assertEquals(value, now, name + " " + counter + ": " + client(qmp, name));
    }
}
