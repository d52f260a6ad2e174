package io.vnetd.dataplane.link;

import io.aeron.Publication;
import io.vnetd.model.port.LinkCounters;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One peer node as the link agent sees it: its publication (once made) and its counters. Made by the
 * control side when the node is first named, then used by the agent alone, except the counters, which
 * the agent writes and anyone reads.
 */
final class PeerLink {

    static final int FRAMES_SENT = 0;
    static final int BYTES_SENT = 1;
    static final int FRAMES_RECEIVED = 2;
    static final int BYTES_RECEIVED = 3;
    static final int DROPPED_BACK_PRESSURED = 4;
    static final int DROPPED_NOT_CONNECTED = 5;
    static final int DROPPED_ADMIN_ACTION = 6;
    static final int DROPPED_OTHER = 7;
    static final int DROPPED_UNKNOWN_HUB = 8;
    static final int DROPPED_RING_FULL = 9;
    static final int DROPPED_MALFORMED = 10;
    private static final int COUNTERS = 11;

    /** No publication being made. */
    static final long NONE = -1;

    private final String node;
    private final long id;
    /** Written by the agent only, with release stores: a plain store on x86, no fence per frame. */
    private final AtomicLongArray counts = new AtomicLongArray(COUNTERS);

    /** The agent's: the publication to the peer, null while it has no address or it is being made. */
    Publication publication;
    /** Whether the peer receives from this node (its publication is connected); written by the agent on change. */
    private volatile boolean connected;

    /** The agent's: the registration of a publication being made, or {@link #NONE}. */
    long pendingRegistration = NONE;

    PeerLink(String node) {
        this.node = node;
        this.id = idOf(node);
    }

    /**
     * The number a node's messages carry in Aeron's reserved header field, so that a receiver knows
     * whose they are: the 64-bit FNV-1a hash of the node's name in UTF-8 (stable across JVMs).
     */
    static long idOf(String node) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : node.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    String node() {
        return node;
    }

    long id() {
        return id;
    }

    void count(int counter) {
        counts.lazySet(counter, counts.get(counter) + 1);
    }

    void count(int frames, int bytes, int length) {
        counts.lazySet(frames, counts.get(frames) + 1);
        counts.lazySet(bytes, counts.get(bytes) + length);
    }

    void connected(boolean now) {
        if (now != connected) {
            connected = now;
        }
    }

    LinkCounters snapshot() {
        return new LinkCounters(connected, counts.get(FRAMES_SENT), counts.get(BYTES_SENT), counts.get(FRAMES_RECEIVED),
                counts.get(BYTES_RECEIVED), counts.get(DROPPED_BACK_PRESSURED), counts.get(DROPPED_NOT_CONNECTED),
                counts.get(DROPPED_ADMIN_ACTION), counts.get(DROPPED_OTHER), counts.get(DROPPED_UNKNOWN_HUB),
                counts.get(DROPPED_RING_FULL), counts.get(DROPPED_MALFORMED));
    }
}
