package io.vnetd.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdCommand;
import io.vnetd.it.support.VnetdProcess;
import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vnetd topology} of a running daemon: a hub with a NIC and a port whose link is down, a pair, a lone backend. */
class TopologyIT {

    @TempDir
    Path dir;

    private VnetdProcess daemon;

    @BeforeEach
    void network() throws Exception {
        daemon = VnetdProcess.start(dir.resolve("data"));
        int[] ports = freeUdpPorts(4);
        try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h0\", \"hubid\": 0}");
            qmp.ok("device_add", "{\"driver\": \"e1000\", \"id\": \"nic0\", \"netdev\": \"h0\"}");
            qmp.ok("netdev_add", "{\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 0}");
            qmp.ok("set_link", "{\"name\": \"h1\", \"up\": false}");
            qmp.ok("netdev_add", "{\"type\": \"socket\", \"id\": \"s0\", \"udp\": \"127.0.0.1:" + ports[0]
                    + "\", \"localaddr\": \"127.0.0.1:" + ports[1] + "\"}");
            qmp.ok("device_add", "{\"driver\": \"virtio-net-pci\", \"id\": \"nic1\", \"netdev\": \"s0\"}");
            qmp.ok("netdev_add", "{\"type\": \"socket\", \"id\": \"s1\", \"udp\": \"127.0.0.1:" + ports[2]
                    + "\", \"localaddr\": \"127.0.0.1:" + ports[3] + "\"}");
        }
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    @Test
    void textIsATreeOfHubsThenPairsThenUnconnectedClients() throws Exception {
        VnetdCommand run = VnetdCommand.run("topology", daemon.qmpSocket().toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("""
                hub 0
                |-- h0 (hubport) -- nic0 (nic)
                `-- h1 (hubport, link down)
                peers
                `-- s0 (socket) -- nic1 (nic)
                unconnected
                `-- s1 (socket)
                """, run.out());
    }

    @Test
    void dotDrawsTheSameNetwork() throws Exception {
        VnetdCommand run = VnetdCommand.run("topology", "--dot", "unix:" + daemon.qmpSocket());
        assertEquals(0, run.status(), run.err());
        String dot = run.out();
        assertTrue(dot.startsWith("graph vnetd {\n") && dot.endsWith("}\n"), dot);
        for (String line : new String[] {
                "  \"hub:0\" [shape=ellipse, label=\"hub 0\"];",
                "  \"client:h1\" [label=\"h1\\nhubport\\nlink down\", style=dashed, color=red];",
                "  \"client:s1\" [label=\"s1\\nsocket\"];",
                "  \"hub:0\" -- \"client:h0\";",
                "  \"client:h0\" -- \"client:nic0\";",
                "  \"hub:0\" -- \"client:h1\" [style=dashed, color=red];",
                "  \"client:s0\" -- \"client:nic1\";"}) {
            assertTrue(dot.lines().anyMatch(line::equals), "the DOT holds " + line + ":\n" + dot);
        }
    }

    @Test
    void svgIsDrawnByGraphviz() throws Exception {
        assumeTrue(onPath("dot"), "Graphviz's dot is not installed (bin/install-test-deps installs graphviz)");
        Path svg = dir.resolve("network.svg");
        VnetdCommand run = VnetdCommand.run("topology", "--svg", svg.toString(), daemon.qmpSocket().toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.out());
        String picture = Files.readString(svg);
        assertTrue(picture.contains("<svg"), picture);
        for (String text : new String[] {"hub 0", "nic0", "link down", "s1"}) {
            assertTrue(picture.contains(">" + text + "</text>"), "the picture shows " + text);
        }
    }

    @Test
    void svgWithoutGraphvizIsAClearErrorNamingDot() throws Exception {
        Path svg = dir.resolve("network.svg");
        VnetdCommand run = VnetdCommand.run(Map.of("PATH", dir.toString()), null,
                "topology", "--svg", svg.toString(), daemon.qmpSocket().toString());
        assertEquals(1, run.status());
        assertEquals("vnetd: --svg needs Graphviz's 'dot' program, which is not on PATH (install the graphviz package)\n",
                run.err());
        assertTrue(Files.notExists(svg));
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory.isEmpty() ? "." : directory, program)));
    }

    private static int[] freeUdpPorts(int count) throws Exception {
        DatagramSocket[] sockets = new DatagramSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (DatagramSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }
}
