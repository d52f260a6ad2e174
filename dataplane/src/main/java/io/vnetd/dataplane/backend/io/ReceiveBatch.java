package io.vnetd.dataplane.backend.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@code struct mmsghdr} array and buffers one {@code recvmmsg(2)} fills: one slot per datagram,
 * each as long as the longest frame. An agent has one, shared by its datagram sockets, because it
 * hands every datagram on before it reads the next socket.
 */
public final class ReceiveBatch {

    /** {@code sizeof(struct mmsghdr)} on LP64 Linux: a 56-byte {@code msghdr} and {@code msg_len}. */
    static final int MMSGHDR_LENGTH = 64;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_FLAGS = 48;
    static final int MSG_LEN = 56;
    static final int IOVEC_LENGTH = 16;

    /** Held so that the memory lives as long as the batch: the buffers only know its address. */
    private final MemorySegment memory;
    private final UnsafeBuffer headers;
    private final UnsafeBuffer slots;
    private final int messages;
    private final int slotLength;

    public ReceiveBatch(int messages, int frameLength) {
        this.messages = messages;
        this.slotLength = BitUtil.align(frameLength, BitUtil.CACHE_LINE_LENGTH);
        int headerBytes = messages * (MMSGHDR_LENGTH + IOVEC_LENGTH);
        this.memory = Arena.ofAuto().allocate(headerBytes + (long) messages * slotLength, BitUtil.CACHE_LINE_LENGTH);
        this.headers = new UnsafeBuffer(memory.address(), headerBytes);
        this.slots = new UnsafeBuffer(memory.address() + headerBytes, messages * slotLength);
        long iovecs = memory.address() + (long) messages * MMSGHDR_LENGTH;
        for (int i = 0; i < messages; i++) {
            int header = i * MMSGHDR_LENGTH;
            long iovec = iovecs + (long) i * IOVEC_LENGTH;
            headers.putLong(header + MSG_IOV, iovec);
            headers.putLong(header + MSG_IOVLEN, 1);
            headers.putLong(messages * MMSGHDR_LENGTH + i * IOVEC_LENGTH, slots.addressOffset() + (long) i * slotLength);
            // A datagram longer than the longest frame is cut to it and flagged MSG_TRUNC.
            headers.putLong(messages * MMSGHDR_LENGTH + i * IOVEC_LENGTH + 8, frameLength);
        }
    }

    /** Receives up to a batch from {@code fd}; returns how many (0 when none or on error, which QEMU ignores too). */
    public int receive(int fd) {
        return Math.max(Libc.recvmmsg(fd, headers.addressOffset(), messages, Libc.MSG_DONTWAIT), 0);
    }

    /** The received datagrams, each at {@link #offset}. */
    public UnsafeBuffer buffer() {
        return slots;
    }

    public int offset(int index) {
        return index * slotLength;
    }

    public int length(int index) {
        return headers.getInt(index * MMSGHDR_LENGTH + MSG_LEN);
    }

    /** Whether the datagram was longer than a slot and cut short. */
    public boolean truncated(int index) {
        return (headers.getInt(index * MMSGHDR_LENGTH + MSG_FLAGS) & Libc.MSG_TRUNC) != 0;
    }
}
