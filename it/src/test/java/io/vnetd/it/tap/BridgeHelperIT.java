package io.vnetd.it.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code bridge} netdev through QEMU's real {@code qemu-bridge-helper}: the daemon runs in a
 * network namespace of its own ({@value #NS}) that holds bridge {@value #BRIDGE}, and a veth pair
 * joins that bridge to a "peer" namespace; a {@code tap} netdev on the same hub stands for a guest
 * in a third namespace. Ping between guest and peer crosses vnetd and the helper's tap on the
 * bridge.
 *
 * <p>The helper only lets a tap onto a bridge that its ACL ({@code /etc/qemu/bridge.conf}) allows.
 * The host is left untouched: the helper named in the netdev is a wrapper that runs the real helper,
 * unchanged, in a private mount namespace where an overlay on {@code /etc} adds that one file, so no
 * ACL is created, changed or removed on the host, and nothing is left behind if the test dies.
 */
class BridgeHelperIT {

    private static final String HELPER = "/usr/lib/qemu/qemu-bridge-helper";
    private static final String NS = "vtbrd";
    private static final String NS_PEER = "vtbrpeer";
    private static final String NS_GUEST = "vtbrguest";
    private static final String BRIDGE = "vtbr0";
    private static final String TAP = "vtbrt0";
    private static final String IP_PEER = "198.18.225.2";
    private static final String IP_GUEST = "198.18.225.1";

    @TempDir
    Path dir;

    @BeforeEach
    void network() {
        Host.assumeTapsAndNamespaces();
        assumeTrue(Files.isExecutable(Path.of(HELPER)), "needs qemu-bridge-helper (qemu-system-x86, bin/install-test-deps)");
        removeEverything();
        for (String ns : List.of(NS, NS_PEER, NS_GUEST)) {
            Host.must("ip", "netns", "add", ns);
        }
        Host.must("ip", "-n", NS, "link", "add", BRIDGE, "type", "bridge");
        Host.must("ip", "-n", NS, "link", "set", BRIDGE, "up");
        Host.must("ip", "-n", NS, "link", "add", "vtbrv0", "type", "veth", "peer", "name", "vtbrv1", "netns", NS_PEER);
        Host.must("ip", "-n", NS, "link", "set", "vtbrv0", "master", BRIDGE);
        Host.must("ip", "-n", NS, "link", "set", "vtbrv0", "up");
        Host.must("ip", "-n", NS_PEER, "addr", "add", IP_PEER + "/24", "dev", "vtbrv1");
        Host.must("ip", "-n", NS_PEER, "link", "set", "vtbrv1", "up");
    }

    @AfterEach
    void removeEverything() {
        // The bridge, the veth pair and every tap go with their namespaces.
        Host.remove(List.of(NS_GUEST, NS_PEER, NS), List.of());
    }

    /** The real helper, run where {@code /etc/qemu/bridge.conf} allows {@value #BRIDGE} and nothing else changed. */
    private Path helperWithAcl() throws IOException {
        Path mount = Files.createDirectory(dir.resolve("acl"));
        Path wrapper = dir.resolve("bridge-helper");
        Files.writeString(wrapper, """
                #!/bin/sh
                exec unshare --mount --propagation private sh -c '
                  mount -t tmpfs vt-acl "$0" && mkdir -p "$0/upper/qemu" "$0/work" &&
                  echo "allow %s" > "$0/upper/qemu/bridge.conf" &&
                  mount -t overlay vt-acl -o lowerdir=/etc,upperdir="$0/upper",workdir="$0/work" /etc &&
                  exec %s "$@"' %s "$@"
                """.formatted(BRIDGE, HELPER, mount));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        return wrapper;
    }

    @Test
    void aGuestOnATapReachesAPeerOnTheBridgeThroughTheHelpersTap() throws Exception {
        Path helper = helperWithAcl();
        try (VnetdProcess daemon = VnetdProcess.startWrapped(List.of("ip", "netns", "exec", NS), dir.resolve("data"));
             QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
            // Without an ACL entry for the bridge the real helper refuses, and so does the netdev.
            assertEquals("bridge helper failed", qmp.execute("netdev_add",
                    "{\"type\":\"bridge\",\"id\":\"b0\",\"br\":\"" + BRIDGE + "\"}").at("/error/desc").asText());

            qmp.ok("netdev_add", "{\"type\":\"bridge\",\"id\":\"b0\",\"br\":\"" + BRIDGE + "\",\"helper\":\"" + helper + "\"}");
            qmp.ok("netdev_add", "{\"type\":\"tap\",\"id\":\"t0\",\"ifname\":\"" + TAP + "\",\"script\":\"no\",\"downscript\":\"no\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hb\",\"hubid\":0,\"netdev\":\"b0\"}");
            qmp.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"ht\",\"hubid\":0,\"netdev\":\"t0\"}");
            assertEquals("hub 0\r\n \\ ht: t0: index=0,type=tap,ifname=" + TAP + ",script=no,downscript=no\r\n"
                    + " \\ hb: b0: index=0,type=bridge,helper=" + helper + ",br=" + BRIDGE + "\r\n", qmp.hmp("info network"));
            String members = Host.in(NS, "ip", "-br", "link", "show", "master", BRIDGE).output();
            assertTrue(members.lines().anyMatch(l -> l.startsWith("tap")), "the helper's tap is on the bridge: " + members);

            Host.must("ip", "-n", NS, "link", "set", TAP, "netns", NS_GUEST);
            Host.must("ip", "-n", NS_GUEST, "addr", "add", IP_GUEST + "/24", "dev", TAP);
            Host.must("ip", "-n", NS_GUEST, "link", "set", TAP, "up");
            assertTrue(Host.ping(NS_GUEST, IP_PEER, 10), "the guest reaches the peer on the bridge");
            assertTrue(Host.ping(NS_PEER, IP_GUEST, 10), "the peer on the bridge reaches the guest");

            qmp.ok("netdev_del", "{\"id\":\"b0\"}");
            assertTrue(Host.await(() -> Host.in(NS, "ip", "-br", "link", "show", "master", BRIDGE).output().lines()
                    .noneMatch(l -> l.startsWith("tap")), 10), "netdev_del removes the helper's tap");
        }
    }
}
