package io.vnetd.it.bench.forwarding;

import org.agrona.MutableDirectBuffer;

/**
 * The benchmark's frames: fwd_bench.py's layout, dst 52:54:00:be:ee:02, src 52:54:00:be:ee:01,
 * ethertype 0x88b5, a 4-byte big-endian sequence number, then filler.
 */
final class Frames {

    static final int SEQUENCE_OFFSET = 14;
    private static final byte[] HEADER = {0x52, 0x54, 0x00, (byte) 0xbe, (byte) 0xee, 0x02,
        0x52, 0x54, 0x00, (byte) 0xbe, (byte) 0xee, 0x01, (byte) 0x88, (byte) 0xb5};

    private Frames() {
    }

    /** Writes a frame of {@code length} bytes with sequence 0 at {@code offset}. */
    static void write(MutableDirectBuffer buffer, int offset, int length) {
        buffer.putBytes(offset, HEADER);
        for (int i = HEADER.length; i < length; i++) {
            buffer.putByte(offset + i, (byte) i);
        }
    }

    static void sequence(MutableDirectBuffer buffer, int frameOffset, int sequence) {
        buffer.putInt(frameOffset + SEQUENCE_OFFSET, sequence, java.nio.ByteOrder.BIG_ENDIAN);
    }

    static int sequence(org.agrona.DirectBuffer buffer, int frameOffset) {
        return buffer.getInt(frameOffset + SEQUENCE_OFFSET, java.nio.ByteOrder.BIG_ENDIAN);
    }

    /** Whether the frame at {@code offset} starts with the benchmark's header. */
    static boolean hasHeader(org.agrona.DirectBuffer buffer, int offset) {
        return buffer.getLong(offset) == HEADER_LONG && buffer.getShort(offset + 12) == HEADER_SHORT;
    }

    private static final long HEADER_LONG = new org.agrona.concurrent.UnsafeBuffer(HEADER).getLong(0);
    private static final short HEADER_SHORT = new org.agrona.concurrent.UnsafeBuffer(HEADER).getShort(12);
}
