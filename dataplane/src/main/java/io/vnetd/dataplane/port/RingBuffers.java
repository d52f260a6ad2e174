package io.vnetd.dataplane.port;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/** Memory for Agrona ring buffers. */
public final class RingBuffers {

    private RingBuffers() {
    }

    /**
     * A buffer for a ring of {@code capacity} bytes (a power of two) plus the Agrona trailer, off heap
     * and cache-line aligned. The memory is released by the garbage collector once no ring or
     * endpoint refers to it, so a late writer can never touch freed memory.
     */
    public static UnsafeBuffer allocate(int capacity) {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                capacity + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH * 2));
    }
}
