package io.vnetd.dataplane;

import io.vnetd.model.nic.MacAddress;
import java.nio.ByteBuffer;

/** Ethernet frames for tests; the payload carries a sequence number so copies can be told apart. */
public final class Frames {

    public static final long MAC_A = MacAddress.of("52:54:00:12:34:56").bits();
    public static final long MAC_B = MacAddress.of("52:54:00:12:34:57").bits();
    public static final long MAC_C = MacAddress.of("52:54:00:12:34:58").bits();
    public static final long MULTICAST = MacAddress.of("01:00:5e:00:00:fb").bits();

    private Frames() {
    }

    /** An untagged IPv4-typed frame of 64 bytes from {@code src} to {@code dst}. */
    public static byte[] frame(long dst, long src, int sequence) {
        return frame(dst, src, sequence, 64);
    }

    public static byte[] frame(long dst, long src, int sequence, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) 0x0800);
        b.putInt(sequence);
        return b.array();
    }

    /** An 802.1Q-tagged frame of 64 bytes on VLAN {@code vid}. */
    public static byte[] tagged(long dst, long src, int vid) {
        ByteBuffer b = ByteBuffer.allocate(64);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) 0x8100);
        b.putShort((short) (0x2000 | vid));
        b.putShort((short) 0x0800);
        return b.array();
    }

    public static int sequence(byte[] frame) {
        return ByteBuffer.wrap(frame).getInt(14);
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32));
        b.putInt((int) mac);
    }
}
