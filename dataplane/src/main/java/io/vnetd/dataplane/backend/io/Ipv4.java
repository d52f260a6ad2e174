package io.vnetd.dataplane.backend.io;

import io.vnetd.model.error.NetException;
import java.util.List;
import java.util.OptionalInt;

/**
 * How QEMU's older network code reads IPv4 addresses ({@code net/net.c}'s {@code parse_host_port}
 * and {@code convert_host_port}, glibc's {@code inet_aton}) and prints them ({@code inet_ntoa}), with
 * QEMU's error wording. The {@code socket} backend and {@code dgram}'s inet addresses use these, so
 * they accept exactly what QEMU accepts: {@code 127.1}, {@code 0x7f.0.0.1}, an empty host for any
 * address, host names resolved to their first IPv4 address, ports in any C base.
 */
public final class Ipv4 {

    private static final long[] PART_MAX = {0xffffffffL, 0xffffffL, 0xffffL, 0xffL};

    private Ipv4() {
    }

    /** Whether {@code address} (host order) is in 224.0.0.0/4. */
    public static boolean isMulticast(int address) {
        return (address & 0xf0000000) == 0xe0000000;
    }

    /** {@code inet_ntoa(3)}: dotted decimal. */
    public static String ntoa(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    /**
     * {@code inet_aton(3)} as glibc implements it: one to four parts separated by dots, each in C
     * notation (decimal, 0 octal, 0x hex), the last filling the bytes left; white space may follow.
     *
     * @return the address in host order, or nothing if {@code text} is not one
     */
    public static OptionalInt aton(String text) {
        int[] bytes = new int[3];
        int parts = 0;
        int i = 0;
        long value;
        while (true) {
            if (i >= text.length() || !isDigit(text.charAt(i))) {
                return OptionalInt.empty();
            }
            int base = 10;
            int start = i;
            if (text.charAt(i) == '0') {
                base = 8;
                if (i + 1 < text.length() && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')
                        && i + 2 < text.length() && Character.digit(text.charAt(i + 2), 16) >= 0) {
                    base = 16;
                    start = i + 2;
                }
            }
            value = 0;
            i = start;
            while (i < text.length() && Character.digit(text.charAt(i), base) >= 0 && text.charAt(i) < 0x80) {
                value = value * base + Character.digit(text.charAt(i), base);
                if (value > 0xffffffffL) {
                    return OptionalInt.empty();
                }
                i++;
            }
            if (i < text.length() && text.charAt(i) == '.') {
                if (parts > 2 || value > 0xff) {
                    return OptionalInt.empty();
                }
                bytes[parts++] = (int) value;
                i++;
            } else {
                break;
            }
        }
        if (i < text.length() && !isSpace(text.charAt(i))) {
            return OptionalInt.empty();
        }
        if (value > PART_MAX[parts]) {
            return OptionalInt.empty();
        }
        int address = (int) value;
        for (int p = 0; p < parts; p++) {
            address |= bytes[p] << (24 - 8 * p);
        }
        return OptionalInt.of(address);
    }

    /**
     * QEMU's {@code parse_host_port}: {@code host:port}, split at the first colon.
     *
     * @throws NetException with QEMU's wording
     */
    public static SockAddr parseHostPort(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw NetException.generic("host address '" + text + "' doesn't contain ':' separating host from port");
        }
        return convertHostPort(text.substring(0, colon), text.substring(colon + 1));
    }

    /**
     * QEMU's {@code convert_host_port}: an empty host is any address, a host starting with a digit
     * must be an {@code inet_aton} address, any other is resolved ({@code gethostbyname}, IPv4 only);
     * the port is a C integer ({@code strtol} base 0) of which the low 16 bits count.
     *
     * @throws NetException with QEMU's wording
     */
    public static SockAddr convertHostPort(String host, String port) {
        int address;
        if (host.isEmpty()) {
            address = 0;
        } else if (isDigit(host.charAt(0))) {
            address = aton(host).orElseThrow(
                    () -> NetException.generic("host address '" + host + "' is not a valid IPv4 address"));
        } else {
            address = resolve(host);
        }
        OptionalInt number = strtol(port);
        if (number.isEmpty()) {
            throw NetException.generic("port number '" + port + "' is invalid");
        }
        return SockAddr.inet4(address, number.getAsInt() & 0xffff);
    }

    /** {@code gethostbyname(3)}: the first IPv4 address of {@code host}. */
    private static int resolve(String host) {
        try {
            List<AddrInfo.Entry> entries = AddrInfo.lookup(host, null, Libc.AF_INET, Libc.SOCK_DGRAM, 0);
            if (!entries.isEmpty()) {
                return entries.getFirst().address().ipv4();
            }
        } catch (AddrInfo.LookupException e) {
            // QEMU reports every failure the same way.
        }
        throw NetException.generic("can't resolve host address '" + host + "'");
    }

    /**
     * QEMU's {@code qemu_strtol(text, &end, 0, &result)}: white space, a sign, digits in C notation;
     * text may follow; no digits or a value beyond {@code long} is an error.
     *
     * @return the value's low 32 bits (a port keeps its low 16), or nothing
     */
    static OptionalInt strtol(String text) {
        int i = 0;
        while (i < text.length() && isSpace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int base = 10;
        if (i < text.length() && text.charAt(i) == '0') {
            base = 8;
            if (i + 2 < text.length() && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')
                    && Character.digit(text.charAt(i + 2), 16) >= 0) {
                base = 16;
                i += 2;
            }
        }
        int start = i;
        long value = 0;
        while (i < text.length() && text.charAt(i) < 0x80 && Character.digit(text.charAt(i), base) >= 0) {
            try {
                value = Math.addExact(Math.multiplyExact(value, base), Character.digit(text.charAt(i), base));
            } catch (ArithmeticException e) {
                return OptionalInt.empty();
            }
            i++;
        }
        if (i == start) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) (negative ? -value : value));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
