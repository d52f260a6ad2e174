package io.vnetd.model.nic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.HexFormat;
import java.util.Optional;

/** A 48-bit Ethernet address, kept in the low bits of a long; its JSON form is QEMU's text form. */
public record MacAddress(long bits) {

    /** Octets in an address. */
    public static final int LENGTH = 6;
    private static final long MASK = 0xFFFF_FFFF_FFFFL;
    public static final MacAddress BROADCAST = new MacAddress(MASK);
    /** The I/G bit: the least significant bit of the first octet. */
    private static final long GROUP_BIT = 1L << 40;

    public MacAddress {
        if ((bits & ~MASK) != 0) {
            throw new IllegalArgumentException("not a 48-bit address: " + Long.toHexString(bits));
        }
    }

    /**
     * Parses what qdev's MAC property accepts: six pairs of hex digits, each pair but the last
     * followed by ':' or '-'.
     */
    public static Optional<MacAddress> parse(String text) {
        if (text.length() != 17) {
            return Optional.empty();
        }
        long bits = 0;
        for (int i = 0, pos = 0; i < 6; i++, pos += 3) {
            char high = text.charAt(pos);
            char low = text.charAt(pos + 1);
            if (!HexFormat.isHexDigit(high) || !HexFormat.isHexDigit(low)
                    || (i < 5 && text.charAt(pos + 2) != ':' && text.charAt(pos + 2) != '-')) {
                return Optional.empty();
            }
            bits = (bits << 8) | (HexFormat.fromHexDigit(high) << 4) | HexFormat.fromHexDigit(low);
        }
        return Optional.of(new MacAddress(bits));
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MacAddress of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("not a MAC address: " + text));
    }

    public int octet(int index) {
        return (int) (bits >>> (8 * (5 - index))) & 0xFF;
    }

    /** Whether this is a group address (multicast, broadcast included). */
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    /** {@link #isMulticast()} for an address in the low 48 bits of a long, as the data plane reads it from a frame. */
    public static boolean isMulticast(long bits) {
        return (bits & GROUP_BIT) != 0;
    }

    public void writeTo(byte[] bytes, int offset) {
        for (int i = 0; i < 6; i++) {
            bytes[offset + i] = (byte) octet(i);
        }
    }

    /** Lower-case {@code xx:xx:xx:xx:xx:xx}, as QEMU prints it. */
    @JsonValue
    @Override
    public String toString() {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x",
                octet(0), octet(1), octet(2), octet(3), octet(4), octet(5));
    }
}
