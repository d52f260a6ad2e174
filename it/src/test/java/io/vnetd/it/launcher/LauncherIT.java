package io.vnetd.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a user starts it: its ready line, its endpoints, and its one-line refusals. */
class LauncherIT {

    @TempDir
    Path dir;

    /** Runs the daemon expecting it to refuse to start; returns what it printed on stderr. */
    private static List<String> refusal(String... args) throws Exception {
        Process process = new ProcessBuilder(VnetdProcess.command(args)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "vnetd should have exited");
        assertEquals(1, process.exitValue(), stderr);
        return stderr.lines().toList();
    }

    @Test
    void defaultEndpointIsAPrivateUnixSocketInTheDataDirectory() throws Exception {
        long start = System.nanoTime();
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("var"))) {
            System.out.printf("vnetd ready after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertEquals("vnetd ready: qmp unix:" + daemon.qmpSocket(), daemon.readyLine());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.qmpSocket())));
            try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                JsonNode version = qmp.ok("query-version", null);
                assertTrue(version.get("package").asText().startsWith("vnetd "), version.toString());
            }
            assertEquals(0, daemon.terminate());
            assertFalse(Files.exists(daemon.qmpSocket()), "the socket is removed at shutdown");
        }
    }

    @Test
    void tcpEndpointListensOnTheAddressGiven() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.start(dir.resolve("var"), "--qmp", "tcp:127.0.0.1:0")) {
            Matcher port = Pattern.compile("^vnetd ready: qmp tcp:127\\.0\\.0\\.1:(\\d+)$").matcher(daemon.readyLine());
            assertTrue(port.matches(), daemon.readyLine());
            assertFalse(Files.exists(daemon.qmpSocket()), "no UNIX socket unless asked for");
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(port.group(1)))) {
                var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                JsonNode greeting = new ObjectMapper().readTree(in.readLine());
                assertTrue(greeting.at("/QMP/version/qemu").has("major"), greeting.toString());
                OutputStream out = socket.getOutputStream();
                out.write("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("{\"return\": {}}", in.readLine());
            }
        }
    }

    @Test
    void aDataDirectoryThatCannotBeWrittenIsAOneLineError() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        List<String> stderr = refusal("--data-dir", file.resolve("var").toString());
        assertEquals(1, stderr.size(), String.join("\n", stderr));
        assertTrue(stderr.getFirst().startsWith("vnetd: cannot use data directory '" + file.resolve("var") + "'"),
                stderr.getFirst());
    }

    @Test
    void aSocketPathInUseIsAOneLineError() throws Exception {
        try (VnetdProcess first = VnetdProcess.start(dir.resolve("a"))) {
            List<String> stderr = refusal("--data-dir", dir.resolve("b").toString(),
                    "--qmp", "unix:" + first.qmpSocket());
            assertEquals(1, stderr.size(), String.join("\n", stderr));
            assertTrue(stderr.getFirst().startsWith("vnetd: ") && stderr.getFirst().contains(first.qmpSocket().toString())
                    && stderr.getFirst().contains("in use"), stderr.getFirst());
            try (QmpClient qmp = QmpClient.connect(first.qmpSocket())) {
                qmp.ok("query-version", null);
            }
        }
    }

    @Test
    void commandLineNetdevsAndDevicesAreCreatedOnceAndKept() throws Exception {
        Path data = dir.resolve("var");
        String[] network = {"-netdev", "hubport,id=h0,hubid=0",
            "-device", "virtio-net-pci,id=vnic,netdev=h0,mac=52:54:00:12:34:56,bus=rp1,romfile="};
        String expected = "hub 0\r\n \\ h0: vnic: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:12:34:56\r\n";
        try (VnetdProcess daemon = VnetdProcess.start(data, network); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            assertEquals(expected, qmp.hmp("info network"));
            qmp.ok("set_link", "{\"name\":\"vnic\",\"up\":false}");
            daemon.kill();
        }
        try (VnetdProcess daemon = VnetdProcess.start(data, network); QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            assertEquals(expected, qmp.hmp("info network"), "declared again, the same: left as it is");
            JsonNode vnic = qmp.ok("__io.vnetd_query-net-clients", null).get(1);
            assertEquals(false, vnic.get("link-up").asBoolean(), "and its journaled link state kept");
        }
        List<String> stderr = refusal("--data-dir", data.toString(), "-netdev", "hubport,id=h0,hubid=7");
        assertEquals(List.of("vnetd: -netdev hubport,id=h0,hubid=7: netdev 'h0' exists in the journal with another"
                + " configuration; delete it with netdev_del or change the option"), stderr);
        assertEquals(List.of("vnetd: -netdev hubport,id=h9: Parameter 'hubid' is missing"),
                refusal("--data-dir", dir.resolve("other").toString(), "-netdev", "hubport,id=h9"));
        assertEquals(List.of("vnetd: -netdev hubport,id=0h,hubid=0: Parameter 'id' expects an identifier"),
                refusal("--data-dir", dir.resolve("other").toString(), "-netdev", "hubport,id=0h,hubid=0"));
        assertEquals(List.of("vnetd: -netdev user,id=h0: network backend 'user' is not compiled into this binary"),
                refusal("--data-dir", data.toString(), "-netdev", "user,id=h0"), "netdev_add's rules come before the journal's");
    }

    @Test
    void aBadOptionIsRefusedWithUsage() throws Exception {
        Process process = new ProcessBuilder(VnetdProcess.command("--no-such-option")).start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        assertTrue(stderr.startsWith("Unknown option: '--no-such-option'"), stderr);
    }
}
