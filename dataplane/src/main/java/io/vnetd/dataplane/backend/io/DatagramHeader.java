package io.vnetd.dataplane.backend.io;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What a datagram carries before its frame, for {@link DatagramIo}: written before every frame sent
 * (its own iovec, so the frame is still sent from the ring without a copy) and checked and skipped in
 * every datagram received. {@link #NONE} is QEMU's plain one-frame-per-datagram format; L2TPv3 has a
 * session header.
 *
 * <p>Agent thread only; {@link #write} and {@link #frameOffset} are on the packet path and must not
 * allocate.
 */
public interface DatagramHeader {

    /** No header: the datagram is the frame. */
    DatagramHeader NONE = new DatagramHeader() {
        @Override
        public int length() {
            return 0;
        }

        @Override
        public void write(MutableDirectBuffer buffer, int offset) {
        }

        @Override
        public int frameOffset(DirectBuffer datagram, int offset, int length) {
            return 0;
        }
    };

    /** Bytes written before each frame sent; fixed for the life of the socket. */
    int length();

    /** Writes the header of the next datagram sent at {@code offset}; called once per datagram, in order. */
    void write(MutableDirectBuffer buffer, int offset);

    /**
     * Where the frame starts in a received datagram of {@code length} bytes at {@code offset}, or -1 if
     * the datagram is to be dropped (its header does not match, or no frame follows it).
     */
    int frameOffset(DirectBuffer datagram, int offset, int length);
}
