package io.vnetd.dataplane.filter;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/** 48-bit MAC addresses held in the low bits of a {@code long}, most significant octet first. */
public final class MacAddress {

    public static final int LENGTH = 6;
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** The I/G bit: the least significant bit of the first octet. */
    private static final long GROUP_BIT = 1L << 40;

    private MacAddress() {
    }

    /** Parses the colon-separated form, e.g. {@code 52:54:00:12:34:56}. */
    public static long parse(String text) {
        String[] octets = text.split(":", -1);
        if (octets.length != LENGTH) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        long mac = 0;
        for (String octet : octets) {
            if (octet.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
            try {
                mac = mac << 8 | Integer.parseInt(octet, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'", e);
            }
        }
        return mac;
    }

    /** Reads the address at {@code offset}, e.g. a frame's destination. */
    public static long read(DirectBuffer buffer, int offset) {
        return (buffer.getInt(offset, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16
                | buffer.getShort(offset + 4, ByteOrder.BIG_ENDIAN) & 0xFFFFL;
    }

    /** Whether {@code mac} is a group address (multicast, broadcast included). */
    public static boolean isMulticast(long mac) {
        return (mac & GROUP_BIT) != 0;
    }
}
