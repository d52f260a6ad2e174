package io.vnetd.qmp.json;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A message being written, as the ASCII bytes QMP sends (the writer escapes everything else), in chunks
 * that are never copied: a listing of 40 MB is held once. The chunks double from a small first one, so
 * the many small answers stay small, up to 1 MiB: with G1's regions of at most 2 MiB (heaps under 8 GB), an
 * array that large is allocated outside the young generation, so a long answer is not copied again by
 * each young collection while it is written.
 */
public final class JsonOutput {

    private static final int FIRST_CHUNK = 256;
    private static final int LARGEST_CHUNK = 1024 * 1024;
    /** Enough for the digits of any long and its sign. */
    private static final int LONG_DIGITS = 20;

    private final List<ByteBuffer> full = new ArrayList<>();
    private byte[] chunk = new byte[FIRST_CHUNK];
    private int position;
    private long written;

    public JsonOutput ascii(char c) {
        if (position == chunk.length) {
            nextChunk();
        }
        chunk[position++] = (byte) c;
        return this;
    }

    /** Appends {@code s}, which holds printable ASCII only (the caller has escaped it). */
    public JsonOutput ascii(String s) {
        return ascii(s, 0, s.length());
    }

    /** Appends the characters of {@code s} from {@code from} to {@code to}, printable ASCII only. */
    @SuppressWarnings("deprecation") // the one String method that copies into an array without encoding
    public JsonOutput ascii(String s, int from, int to) {
        int at = from;
        while (at < to) {
            if (position == chunk.length) {
                nextChunk();
            }
            int count = Math.min(to - at, chunk.length - position);
            // It keeps each char's low byte: exactly ASCII's encoding.
            s.getBytes(at, at + count, chunk, position);
            position += count;
            at += count;
        }
        return this;
    }

    /** Appends {@code bytes}, printable ASCII only: text written often, encoded once (a member's name). */
    public JsonOutput ascii(byte[] bytes) {
        int at = 0;
        while (at < bytes.length) {
            if (position == chunk.length) {
                nextChunk();
            }
            int count = Math.min(bytes.length - at, chunk.length - position);
            System.arraycopy(bytes, at, chunk, position, count);
            position += count;
            at += count;
        }
        return this;
    }

    /** Appends {@code value} in decimal, as {@code %lld} prints it. */
    public JsonOutput number(long value) {
        if (chunk.length - position < LONG_DIGITS) {
            nextChunk();
        }
        if (value == Long.MIN_VALUE) {
            return ascii(Long.toString(value));
        }
        long rest = value;
        if (rest < 0) {
            chunk[position++] = '-';
            rest = -rest;
        }
        int end = position + digits(rest);
        for (int i = end - 1; i >= position; i--) {
            chunk[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        position = end;
        return this;
    }

    private static int digits(long positive) {
        int count = 1;
        for (long bound = 10; count < 19 && positive >= bound; bound *= 10) {
            count++;
        }
        return count;
    }

    /** Bytes written so far. */
    public long size() {
        return written + position;
    }

    /** The message, in order; the output is not to be written to any more. */
    public List<ByteBuffer> chunks() {
        List<ByteBuffer> chunks = new ArrayList<>(full.size() + 1);
        chunks.addAll(full);
        if (position > 0) {
            chunks.add(ByteBuffer.wrap(chunk, 0, position));
        }
        return chunks;
    }

    /** The message in one array: for small messages, sent many times (the greeting, an event). */
    public byte[] toByteArray() {
        byte[] bytes = new byte[Math.toIntExact(size())];
        int at = 0;
        for (ByteBuffer c : chunks()) {
            int length = c.remaining();
            c.get(bytes, at, length);
            at += length;
        }
        return bytes;
    }

    private void nextChunk() {
        full.add(ByteBuffer.wrap(chunk, 0, position));
        written += position;
        chunk = new byte[Math.min(chunk.length * 2, LARGEST_CHUNK)];
        position = 0;
    }
}
