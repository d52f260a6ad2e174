package io.vnetd.dataplane.backend;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.backend.TapHost.arpRequest;
import static io.vnetd.dataplane.backend.TapHost.assertNoInterface;
import static io.vnetd.dataplane.backend.TapHost.ipv4;
import static io.vnetd.dataplane.backend.TapHost.isArpReply;
import static io.vnetd.dataplane.backend.TapHost.lines;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_SEND_FAILED;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.backend.BackendHarness.Peer;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tap and bridge backends on real tap interfaces (root, /dev/net/tun): frames both ways through
 * the kernel (an ARP request in, the kernel's reply out), QEMU's names, scripts, helpers and errors.
 * Interfaces are named "vt..." and removed even when a test fails.
 */
class TapBackendTest {

    private static final List<String> NAMES = List.of("vtu0", "vtbusy0", "vtt0", "vtt1", "vtlongname-cut-", "vtfail0",
            "vtmq0", "vtdown0", "vthelp0", "vtvh0", "vtbr0");

    @TempDir
    Path dir;

    @BeforeEach
    void needTaps() {
        TapHost.assumeTaps();
    }

    @AfterEach
    void removeLeftovers() {
        NAMES.forEach(TapHost::remove);
    }

    static NetdevConfig.Tap tap(String id, String ifname, String script, String downscript) {
        return tap(id, ifname, script, downscript, null, null, null);
    }

    static NetdevConfig.Tap tap(String id, String ifname, String script, String downscript, Long queues,
                                String helper, Boolean vhost) {
        return new NetdevConfig.Tap(id, Optional.ofNullable(ifname), Optional.empty(), Optional.empty(),
                Optional.ofNullable(script), Optional.ofNullable(downscript), Optional.empty(), Optional.ofNullable(helper),
                Optional.empty(), Optional.empty(), Optional.ofNullable(vhost), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.ofNullable(queues), Optional.empty());
    }

    private static String refusal(BackendHarness h, NetdevConfig config) {
        return assertThrows(NetException.class, () -> h.open(config)).desc();
    }

    @Test
    void framesCrossTheTapBothWaysAndTheScriptsGetTheInterface() throws IOException {
        Path up = dir.resolve("up.log");
        Path down = dir.resolve("down.log");
        Path ifup = TapHost.upScript(dir, up, "198.18.223.1/30");
        Path ifdown = TapHost.script(dir.resolve("ifdown"), "#!/bin/sh\necho \"$1\" >> " + down + "\n");
        try (BackendHarness h = new BackendHarness()) {
            h.open(tap("t0", "vtu0", ifup.toString(), ifdown.toString()));
            assertEquals(List.of("vtu0"), lines(up));
            assertEquals("ifname=vtu0,script=" + ifup + ",downscript=" + ifdown, h.describe("t0"));
            Peer peer = h.peerOf("t0");
            h.settle();

            int asker = ipv4(198, 18, 223, 2);
            int host = ipv4(198, 18, 223, 1);
            peer.send(arpRequest(MAC_A, asker, host));
            h.await("the kernel's ARP reply through the tap",
                    () -> peer.received().stream().anyMatch(f -> isArpReply(f, MAC_A, host)));
            assertTrue(h.portCounters("t0").get(TX_FRAMES) >= 1);
            assertTrue(h.portCounters("t0").get(RX_FRAMES) >= 1);

            h.dp.close(io.vnetd.model.netclient.NetClientRef.netdev("t0"));
            assertEquals(List.of("vtu0"), lines(down), "the down script ran with the interface's name");
            h.settle();
            assertNoInterface("vtu0");
        }
    }

    @Test
    void framesTheKernelRefusesAreCountedWhileTheInterfaceIsDown() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(tap("t0", "vtu0", "no", "no"));
            Peer peer = h.peerOf("t0");
            h.settle();
            peer.send(arpRequest(MAC_A, ipv4(198, 18, 223, 2), ipv4(198, 18, 223, 1)));
            h.await("the refused frame counted", () -> h.backendCounters("t0").counters().get(DROPPED_SEND_FAILED) == 1);
            assertEquals(1, h.portCounters("t0").get(RX_FRAMES));
        }
    }

    @Test
    void aBusyNameIsRefusedAsQemuDoesAndLeavesNothing() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(tap("t0", "vtbusy0", "no", "no"));
            assertEquals("could not configure /dev/net/tun (vtbusy0): Device or resource busy",
                    refusal(h, tap("t1", "vtbusy0", "no", "no")));
            assertTrue(h.dp.backendCounters("t1").isEmpty());
            assertTrue(TapHost.exists("vtbusy0"), "the first netdev keeps its interface");
        }
        assertNoInterface("vtbusy0");
    }

    @Test
    void templatesAreNumberedAndLongNamesCut() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(tap("t0", "vtt%d", "no", "no"));
            h.open(tap("t1", "vtt%d", "no", "no"));
            h.open(tap("t2", "vtlongname-cut-after-fifteen", "no", "no"));
            assertEquals("ifname=vtt0,script=no,downscript=no", h.describe("t0"));
            assertEquals("ifname=vtt1,script=no,downscript=no", h.describe("t1"));
            assertEquals("ifname=vtlongname-cut-,script=no,downscript=no", h.describe("t2"));
            assertTrue(TapHost.exists("vtlongname-cut-"));
        }
        assertNoInterface("vtt0");
        assertNoInterface("vtlongname-cut-");
    }

    @Test
    void aFailingScriptFailsTheCommandWithQemusStatusAndRemovesTheInterface() throws IOException {
        Path exit3 = TapHost.script(dir.resolve("exit3"), "#!/bin/sh\nexit 3\n");
        try (BackendHarness h = new BackendHarness()) {
            assertEquals("network script /nonexistent/ifup failed with status 256",
                    refusal(h, tap("t0", "vtfail0", "/nonexistent/ifup", "no")));
            assertEquals("network script " + exit3 + " failed with status 768",
                    refusal(h, tap("t0", "vtfail0", exit3.toString(), "no")));
            assertNoInterface("vtfail0");
            assertTrue(h.dp.backendCounters("t0").isEmpty());
        }
    }

    @Test
    void aFailureAfterTheUpScriptRunsTheDownScriptAndRemovesTheInterface() throws IOException {
        Path up = dir.resolve("up.log");
        Path down = dir.resolve("down.log");
        Path ifup = TapHost.script(dir.resolve("ifup"), "#!/bin/sh\necho \"$1\" >> " + up + "\n");
        Path ifdown = TapHost.script(dir.resolve("ifdown"), "#!/bin/sh\necho \"$1\" >> " + down + "\n");
        try (BackendHarness h = new BackendHarness()) {
            // The port name is taken, so the backend cannot attach once its tap is up.
            h.open(new NetdevConfig.Hubport("t0", 0, Optional.empty()));
            assertThrows(IllegalStateException.class, () -> h.open(tap("t0", "vtfail0", ifup.toString(), ifdown.toString())));
            assertEquals(List.of("vtfail0"), lines(up));
            assertEquals(List.of("vtfail0"), lines(down));
            assertNoInterface("vtfail0");
        }
    }

    @Test
    void queuesMakeOneInterfaceDescribedOncePerQueue() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(tap("t0", "vtmq0", "no", "no", 3L, null, null));
            assertEquals("ifname=vtmq0,script=no,downscript=no\nifname=vtmq0,script=no,downscript=no\n"
                    + "ifname=vtmq0,script=no,downscript=no", h.describe("t0"));
            assertTrue(TapHost.exists("vtmq0"));
        }
        assertNoInterface("vtmq0");
    }

    @Test
    void theDownScriptRunsWhenTheDataPlaneStops() throws IOException {
        Path down = dir.resolve("down.log");
        Path ifdown = TapHost.script(dir.resolve("ifdown"), "#!/bin/sh\necho \"$1\" >> " + down + "\n");
        try (BackendHarness h = new BackendHarness()) {
            h.open(tap("t0", "vtdown0", "no", ifdown.toString()));
            assertEquals("ifname=vtdown0,script=no,downscript=" + ifdown, h.describe("t0"));
        }
        assertEquals(List.of("vtdown0"), lines(down));
        assertNoInterface("vtdown0");
    }

    /** A tap asking for vhost: ifname, scripts, helper and the vhost options given. */
    static NetdevConfig.Tap vhostTap(String ifname, String script, String downscript, String helper, Boolean vhost,
                                     String vhostfd, Boolean vhostforce) {
        return new NetdevConfig.Tap("t0", Optional.ofNullable(ifname), Optional.empty(), Optional.empty(),
                Optional.ofNullable(script), Optional.ofNullable(downscript), Optional.empty(), Optional.ofNullable(helper),
                Optional.empty(), Optional.empty(), Optional.ofNullable(vhost), Optional.ofNullable(vhostfd),
                Optional.empty(), Optional.ofNullable(vhostforce), Optional.empty(), Optional.empty());
    }

    /**
     * QEMU decides on vhost once the first queue is made and its up script ran; a refusal then cleans
     * the queue up as QEMU does: the down script runs and the interface goes.
     */
    @Test
    void vhostIsRefusedOnceTheTapIsUpAndTheDownScriptRuns() throws IOException {
        Path log = dir.resolve("scripts.log");
        Path ifup = TapHost.script(dir.resolve("ifup"), "#!/bin/sh\necho \"up $1\" >> " + log + "\n");
        Path ifdown = TapHost.script(dir.resolve("ifdown"), "#!/bin/sh\necho \"down $1\" >> " + log + "\n");
        try (BackendHarness h = new BackendHarness()) {
            assertTrue(refusal(h, vhostTap("vtvh0", ifup.toString(), ifdown.toString(), null, true, null, null))
                    .startsWith("tap: vhost-net is not available with vnetd"));
            assertEquals("vhostfd(s)= is not valid without vhost",
                    refusal(h, vhostTap("vtvh0", ifup.toString(), ifdown.toString(), null, false, "vfd", null)));
            assertEquals(List.of("up vtvh0", "down vtvh0", "up vtvh0", "down vtvh0"), lines(log));
            assertNoInterface("vtvh0");
            assertTrue(h.dp.backendCounters().isEmpty());
        }
    }

    /**
     * Making the tap (a busy name, a failing up script, a failing helper) comes before the vhost
     * options, as QEMU 7.2 answered in the conformance case netdev_add-tap-rule-order.
     */
    @Test
    void theTapIsMadeBeforeVhostIsDecided() {
        try (BackendHarness h = new BackendHarness()) {
            h.open(tap("t9", "vtbusy0", "no", "no"));
            String busy = "could not configure /dev/net/tun (vtbusy0): Device or resource busy";
            assertEquals(busy, refusal(h, vhostTap("vtbusy0", "no", "no", null, false, "vfd", null)));
            assertEquals(busy, refusal(h, vhostTap("vtbusy0", "no", "no", null, null, null, true)));
            assertEquals(busy, refusal(h, vhostTap("vtbusy0", "no", "no", null, null, "vfd", true)));
            String script = "network script /nonexistent/ifup failed with status 256";
            assertEquals(script, refusal(h, vhostTap("vtfail0", "/nonexistent/ifup", "no", null, null, null, true)));
            assertEquals(script, refusal(h, vhostTap("vtfail0", "/nonexistent/ifup", "no", null, false, "vfd", null)));
            assertEquals("bridge helper failed", refusal(h, vhostTap(null, null, null, "/nonexistent/helper", false, "vfd", null)));
            assertEquals("bridge helper failed", refusal(h, vhostTap(null, null, null, "/nonexistent/helper", null, null, true)));
            assertNoInterface("vtfail0");
        }
    }

    @Test
    void descriptorNamesAreUnknownAsInQemu() {
        try (BackendHarness h = new BackendHarness()) {
            NetdevConfig.Tap fds = new NetdevConfig.Tap("t0", Optional.empty(), Optional.empty(), Optional.of("a:b"),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
            assertEquals("File descriptor named 'a' has not been found", refusal(h, fds));
        }
    }

    @Test
    void aHelperPassesTheTapOverTheSocketAndFramesCrossItsVnetHeaders() throws IOException {
        Path args = dir.resolve("args.log");
        // Does what qemu-bridge-helper does, minus the bridge: a tap with virtio-net headers
        // (--use-vnet), addressed and up, passed back over the descriptor named by --fd=.
        Path helper = TapHost.script(dir.resolve("helper"), """
                #!/usr/bin/env python3
                import fcntl, os, socket, struct, subprocess, sys
                with open("%s", "a") as log:
                    log.write(" ".join(sys.argv[1:]) + "\\n")
                fd = int([a for a in sys.argv if a.startswith("--fd=")][0][5:])
                tun = os.open("/dev/net/tun", os.O_RDWR)
                flags = 0x0002 | 0x1000 | (0x4000 if "--use-vnet" in sys.argv else 0)
                fcntl.ioctl(tun, 0x400454ca, struct.pack("16sH22x", b"vthelp0", flags))
                subprocess.run(["sysctl", "-qw", "net.ipv6.conf.vthelp0.disable_ipv6=1"])
                subprocess.run(["ip", "addr", "add", "198.18.223.9/30", "dev", "vthelp0"], check=True)
                subprocess.run(["ip", "link", "set", "vthelp0", "up"], check=True)
                socket.send_fds(socket.socket(fileno=fd), [b"\\0"], [tun])
                """.formatted(args));
        try (BackendHarness h = new BackendHarness()) {
            h.open(new NetdevConfig.Bridge("b0", Optional.of("vtbr0"), Optional.of(helper.toString())));
            assertEquals(List.of("--use-vnet --fd=3 --br=vtbr0"), lines(args));
            assertEquals("helper=" + helper + ",br=vtbr0", h.describe("b0"));
            Peer peer = h.peerOf("b0");
            h.settle();
            int host = ipv4(198, 18, 223, 9);
            peer.send(arpRequest(MAC_A, ipv4(198, 18, 223, 10), host));
            h.await("the kernel's ARP reply through the helper's tap",
                    () -> peer.received().stream().anyMatch(f -> isArpReply(f, MAC_A, host)));
            // A tap netdev with helper= describes itself by the helper alone; br= goes to the helper.
            h.dp.close(io.vnetd.model.netclient.NetClientRef.netdev("b0"));
            h.settle();
            h.open(tap("t0", null, null, null, null, helper + " --debug", null));
            assertEquals("--debug --use-vnet --fd=3 --br=br0", lines(args).getLast());
            assertEquals("helper=" + helper + " --debug", h.describe("t0"));
        }
        assertNoInterface("vthelp0");
    }

    @Test
    void anyHelperFailureIsBridgeHelperFailed() throws IOException {
        Path silent = TapHost.script(dir.resolve("silent"), "#!/bin/sh\nexit 0\n");
        Path refusing = TapHost.script(dir.resolve("refusing"), "#!/bin/sh\nexit 1\n");
        try (BackendHarness h = new BackendHarness()) {
            for (String helper : List.of("/nonexistent/helper", silent.toString(), refusing.toString(), "/bin/false --x")) {
                assertEquals("bridge helper failed",
                        refusal(h, new NetdevConfig.Bridge("b0", Optional.empty(), Optional.of(helper))), helper);
                assertEquals("bridge helper failed", refusal(h, tap("t0", null, null, null, null, helper, null)), helper);
            }
            assertTrue(h.dp.backendCounters().isEmpty());
        }
    }

    @Test
    void sendBufferAndOptionsWithoutEffectAreAccepted() {
        try (BackendHarness h = new BackendHarness()) {
            NetdevConfig.Tap options = new NetdevConfig.Tap("t0", Optional.of("vtt0"), Optional.empty(), Optional.empty(),
                    Optional.of("no"), Optional.of("no"), Optional.of("br0"), Optional.empty(),
                    Optional.of(BigInteger.ZERO), Optional.of(true), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.of(50L));
            h.open(options);
            assertEquals("ifname=vtt0,script=no,downscript=no", h.describe("t0"));
        }
    }
}
