package io.vnetd.dataplane.backend.l2tpv3;

import io.vnetd.dataplane.backend.io.DatagramHeader;
import io.vnetd.model.netdev.NetdevConfig;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The L2TPv3 data header QEMU's {@code net/l2tpv3.c} puts before every Ethernet frame (RFC 3931
 * with QEMU's choices), all fields big-endian:
 *
 * <pre>
 *   [UDP only: 0x00030000]  session (4)  [cookie (4 or 8)]  [counter (4)]  [offset bytes]  frame
 * </pre>
 *
 * <ul>
 *   <li>Over UDP the first word marks a data message of version 3; over IP (protocol 115) there is none.</li>
 *   <li>The cookie is 64 bits whenever {@code cookie64} is given at all, even as {@code false}: QEMU tests
 *       whether the option is present, not its value.</li>
 *   <li>{@code counter} adds a sequence number, 1 for the first frame sent; {@code pincounter} keeps it 0.
 *       {@code pincounter} without {@code counter} puts no counter on the wire, as in QEMU.</li>
 *   <li>{@code offset} bytes (zeros here, whatever QEMU's buffer held there) follow before the frame.</li>
 * </ul>
 *
 * <p>Receiving checks what QEMU checks: the cookie, then the session (neither the UDP word nor the
 * counter), and that a frame of at least one byte follows the header. A 32-bit cookie is compared with
 * the whole configured {@code rxcookie}, so one above 32 bits never matches, as in QEMU. Over IPv4 the
 * kernel hands the IP header to a raw socket: it is skipped by its own length field, where QEMU skips
 * 20 bytes (the same unless the packet carries IP options).
 *
 * <p>Immutable but for the sequence number, which only the agent serving the socket advances.
 */
public final class L2tpv3Header implements DatagramHeader {

    /** The first word of a UDP-encapsulated data message: T bit clear, version 3. */
    static final int UDP_DATA_MESSAGE = 0x30000;

    private static final ByteOrder WIRE = ByteOrder.BIG_ENDIAN;
    private static final int IPV4_MIN_HEADER = 20;

    private final boolean skipsIpHeader;
    private final int length;
    private final int sessionOffset;
    private final int cookieOffset;
    private final int cookieLength;
    private final int counterOffset;
    private final boolean counts;
    private final int rxSession;
    private final long rxCookie;
    /** Every byte of the header sent, counter 0: copied before each frame. */
    private final UnsafeBuffer template;
    private int sequence;

    private L2tpv3Header(boolean udp, boolean skipsIpHeader, int cookieLength, boolean counter, boolean pinned,
                         int offset, int txSession, long txCookie, int rxSession, long rxCookie) {
        this.skipsIpHeader = skipsIpHeader;
        this.sessionOffset = udp ? 4 : 0;
        this.cookieOffset = sessionOffset + 4;
        this.cookieLength = cookieLength;
        this.counterOffset = counter ? cookieOffset + cookieLength : -1;
        this.counts = counter && !pinned;
        this.length = cookieOffset + cookieLength + (counter ? 4 : 0) + offset;
        this.rxSession = rxSession;
        this.rxCookie = rxCookie;
        this.template = new UnsafeBuffer(new byte[length]);
        if (udp) {
            template.putInt(0, UDP_DATA_MESSAGE, WIRE);
        }
        template.putInt(sessionOffset, txSession, WIRE);
        if (cookieLength == Long.BYTES) {
            template.putLong(cookieOffset, txCookie, WIRE);
        } else if (cookieLength == Integer.BYTES) {
            template.putInt(cookieOffset, (int) txCookie, WIRE);
        }
    }

    /** The header {@code config} describes (validated: both cookies or neither, offset in range). */
    public static L2tpv3Header of(NetdevConfig.L2tpv3 config) {
        boolean udp = config.udp().orElse(false);
        boolean cookies = config.txcookie().isPresent();
        int cookieLength = !cookies ? 0 : config.cookie64().isPresent() ? Long.BYTES : Integer.BYTES;
        return new L2tpv3Header(udp, !udp && !config.ipv6().orElse(false), cookieLength,
                config.counter().orElse(false), config.pincounter().orElse(false),
                Math.toIntExact(config.offset().orElse(0L)), (int) config.txsession(),
                cookies ? config.txcookie().get().longValue() : 0, (int) config.receiveSession(),
                cookies ? config.rxcookie().orElseThrow().longValue() : 0);
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void write(MutableDirectBuffer buffer, int offset) {
        buffer.putBytes(offset, template, 0, length);
        if (counts) {
            buffer.putInt(offset + counterOffset, ++sequence, WIRE);
        }
    }

    @Override
    public int frameOffset(DirectBuffer datagram, int offset, int datagramLength) {
        int ipHeader = 0;
        if (skipsIpHeader) {
            if (datagramLength < IPV4_MIN_HEADER) {
                return -1;
            }
            ipHeader = (datagram.getByte(offset) & 0x0f) * 4;
        }
        int frame = ipHeader + length;
        if (datagramLength <= frame) {
            return -1;
        }
        int at = offset + ipHeader;
        long cookie = switch (cookieLength) {
            case Long.BYTES -> datagram.getLong(at + cookieOffset, WIRE);
            case Integer.BYTES -> Integer.toUnsignedLong(datagram.getInt(at + cookieOffset, WIRE));
            default -> rxCookie;
        };
        return cookie == rxCookie && datagram.getInt(at + sessionOffset, WIRE) == rxSession ? frame : -1;
    }
}
