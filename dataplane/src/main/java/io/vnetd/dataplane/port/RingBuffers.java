package io.vnetd.dataplane.port;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/** Memory for Agrona ring buffers. */
public final class RingBuffers {

    private RingBuffers() {
    }

    /**
     * A buffer for a ring of {@code capacity} bytes (a power of two) plus the Agrona trailer, off heap
     * and page aligned, resident only as far as frames have been written ({@link PageMemory}). The
     * memory is released by the garbage collector once no ring or endpoint refers to it, so a late
     * writer can never touch freed memory.
     */
    public static UnsafeBuffer allocate(int capacity) {
        return new UnsafeBuffer(PageMemory.allocate(capacity + RingBufferDescriptor.TRAILER_LENGTH).asByteBuffer());
    }
}
