package io.vnetd.dataplane.backend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host side of tap tests: whether taps can be made here, interfaces by name, executable
 * scripts, and ARP frames the kernel answers. Every interface a test names starts with "vt".
 */
final class TapHost {

    private TapHost() {
    }

    /** Skips the test unless this process may make tap interfaces (root, /dev/net/tun). */
    static void assumeTaps() {
        assumeTrue(Files.isReadable(Path.of("/dev/net/tun")) && Files.isWritable(Path.of("/dev/net/tun")),
                "tap tests need root and /dev/net/tun");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "tap tests need iproute2 (bin/install-test-deps)");
    }

    static boolean exists(String ifname) {
        return Files.exists(Path.of("/sys/class/net", ifname));
    }

    /** Removes interface {@code ifname} if a failed test left it. */
    static void remove(String ifname) {
        if (exists(ifname)) {
            run("ip", "link", "delete", ifname);
        }
    }

    /** Runs a command to its end (at most 10 s); its exit status. */
    static int run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes an executable script. */
    static Path script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** A script that logs its argument to {@code log}, then addresses the interface with {@code cidr} and brings it up. */
    static Path upScript(Path dir, Path log, String cidr) throws IOException {
        return script(dir.resolve("ifup"), "#!/bin/sh\n"
                + "echo \"$1\" >> " + log + "\n"
                + "sysctl -qw net.ipv6.conf.\"$1\".disable_ipv6=1\n"
                + "ip addr add " + cidr + " dev \"$1\" && ip link set \"$1\" up\n");
    }

    static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
    }

    /** An ARP request from {@code mac}/{@code senderIp} asking for {@code targetIp} (addresses as ints). */
    static byte[] arpRequest(long mac, int senderIp, int targetIp) {
        ByteBuffer b = ByteBuffer.allocate(60);
        putMac(b, 0xffff_ffff_ffffL);
        putMac(b, mac);
        b.putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        putMac(b, mac);
        b.putInt(senderIp);
        putMac(b, 0);
        b.putInt(targetIp);
        return b.array();
    }

    /** Whether {@code frame} is an ARP reply to {@code mac} saying where {@code ip} is. */
    static boolean isArpReply(byte[] frame, long mac, int ip) {
        if (frame.length < 42) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        return b.getShort(12) == 0x0806 && b.getShort(20) == 2 && mac(b, 0) == mac && b.getInt(28) == ip;
    }

    static int ipv4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    private static long mac(ByteBuffer b, int offset) {
        return (b.getShort(offset) & 0xffffL) << 32 | (b.getInt(offset + 2) & 0xffff_ffffL);
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32));
        b.putInt((int) mac);
    }

    static void assertNoInterface(String ifname) {
        assertFalse(exists(ifname), "interface " + ifname + " still exists");
    }
}
