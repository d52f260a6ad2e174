package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.Counter;
import io.vnetd.model.netclient.NetClientCounter;
import java.util.Arrays;

/**
 * The ports of one hub that have no peer. A frame crossing the hub leaves by each of them and is
 * dropped there at once (QEMU's {@code qemu_send_packet} with no peer), so all they do is count: the
 * frame sent and its bytes and a drop for the missing peer, or a link-down drop. The routes through
 * the hub share this one live set instead of compiling a step for each port, so a route's size and
 * its compilation do not grow with its hub's ports, and a peerless port that opens, closes or
 * changes its link compiles no route. As a route counts a sender, a frame is counted as sent by
 * each of them, then as dropped for want of a peer, or because the port's link is down.
 *
 * <p>Its members and their links change only between duty cycles, after the counts held were
 * published, so the frames that crossed the hub while every link was up are counted at its members
 * once per duty cycle, from the hub's count ({@link Hub#publish}). Switching agent only.
 */
final class PeerlessPorts {

    private Port[] ports = new Port[8];
    private Counter[] sentFrames = new Counter[8];
    private Counter[] sentBytes = new Counter[8];
    private Counter[] peerAbsent = new Counter[8];
    private Counter[] linkDownDrops = new Counter[8];
    private int size;
    /** Members whose link is down: while there are none, a frame takes the fast path. */
    private int linksDown;

    void add(Port port) {
        if (size == ports.length) {
            int capacity = size * 2;
            ports = Arrays.copyOf(ports, capacity);
            sentFrames = Arrays.copyOf(sentFrames, capacity);
            sentBytes = Arrays.copyOf(sentBytes, capacity);
            peerAbsent = Arrays.copyOf(peerAbsent, capacity);
            linkDownDrops = Arrays.copyOf(linkDownDrops, capacity);
        }
        port.exitIndex = size;
        ports[size] = port;
        sentFrames[size] = port.counters.get(NetClientCounter.TX_FRAMES);
        sentBytes[size] = port.counters.get(NetClientCounter.TX_BYTES);
        peerAbsent[size] = port.counters.get(NetClientCounter.DROPPED_PEER_ABSENT);
        linkDownDrops[size] = port.counters.get(NetClientCounter.DROPPED_LINK_DOWN);
        size++;
        if (!port.linkUp) {
            linksDown++;
        }
    }

    /** Removes {@code port}, a member, moving the last member into its place. */
    void remove(Port port) {
        int index = port.exitIndex;
        int last = --size;
        Port moved = ports[last];
        ports[index] = moved;
        sentFrames[index] = sentFrames[last];
        sentBytes[index] = sentBytes[last];
        peerAbsent[index] = peerAbsent[last];
        linkDownDrops[index] = linkDownDrops[last];
        moved.exitIndex = index;
        ports[last] = null;
        sentFrames[last] = null;
        sentBytes[last] = null;
        peerAbsent[last] = null;
        linkDownDrops[last] = null;
        port.exitIndex = -1;
        if (!port.linkUp) {
            linksDown--;
        }
    }

    /** The link of a member went from {@code wasUp} to {@code isUp}. */
    void linkChanged(boolean wasUp, boolean isUp) {
        if (wasUp != isUp) {
            linksDown += isUp ? -1 : 1;
        }
    }

    boolean anyLinkDown() {
        return linksDown > 0;
    }

    /** A frame of {@code length} bytes crossed the hub while some member's link was down: counts at once. */
    void walk(int length) {
        for (int i = 0; i < size; i++) {
            sentFrames[i].incrementRelease();
            sentBytes[i].getAndAddRelease(length);
            if (ports[i].linkUp) {
                peerAbsent[i].incrementRelease();
            } else {
                linkDownDrops[i].incrementRelease();
            }
        }
    }

    /** Counts at every member the {@code frames} of {@code bytes} in all that crossed the hub while every link was up. */
    void publish(long frames, long bytes) {
        for (int i = 0; i < size; i++) {
            sentFrames[i].getAndAddRelease(frames);
            sentBytes[i].getAndAddRelease(bytes);
            peerAbsent[i].getAndAddRelease(frames);
        }
    }
}
