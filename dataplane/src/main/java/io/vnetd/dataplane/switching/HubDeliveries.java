package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.Counter;
import io.vnetd.model.netclient.NetClientCounter;
import java.util.Arrays;
import org.agrona.DirectBuffer;

/**
 * The ports of one hub that are peered with an endpoint (a NIC, a backend): a frame crossing the hub leaves by each of
 * them, save the one it came in by, and is delivered to that endpoint. The routes through the hub share this one live
 * set instead of compiling steps for each, so attaching an endpoint to a hub, or detaching it, compiles no route but
 * the endpoint's own, and a route's size does not grow with the endpoints on its hubs.
 *
 * <p>Each member takes the steps a compiled route would: the frame is counted as sent by the hubport, dropped if the
 * hubport's link or the endpoint's is down (counted where it is down), otherwise handed to the endpoint's
 * {@link Delivery}. Members and links change only between duty cycles, after the counts held were published; while
 * no member has a link down, frames take the fast path and the hubports count them once per duty cycle, from the
 * hub's count less the frames that came in by the member itself ({@link Hub#publish}). Switching agent only.
 */
final class HubDeliveries {

    private Port[] hubports = new Port[4];
    private Delivery[] deliveries = new Delivery[4];
    private Counter[] sentFrames = new Counter[4];
    private Counter[] sentBytes = new Counter[4];
    /** Frames, and their bytes, that came into the hub by each member while every link was up, since the last publish. */
    private long[] enteredFrames = new long[4];
    private long[] enteredBytes = new long[4];
    private int size;
    /** Links down among the members' hubports and endpoints: while there are none, a frame takes the fast path. */
    private int linksDown;

    /** Adds {@code hubport}, whose peer is an endpoint. */
    void add(Port hubport) {
        if (size == hubports.length) {
            int capacity = size * 2;
            hubports = Arrays.copyOf(hubports, capacity);
            deliveries = Arrays.copyOf(deliveries, capacity);
            sentFrames = Arrays.copyOf(sentFrames, capacity);
            sentBytes = Arrays.copyOf(sentBytes, capacity);
            enteredFrames = Arrays.copyOf(enteredFrames, capacity);
            enteredBytes = Arrays.copyOf(enteredBytes, capacity);
        }
        hubport.exitIndex = size;
        hubports[size] = hubport;
        deliveries[size] = hubport.peer.delivery;
        sentFrames[size] = hubport.counters.get(NetClientCounter.TX_FRAMES);
        sentBytes[size] = hubport.counters.get(NetClientCounter.TX_BYTES);
        size++;
        linksDown += linksDown(hubport);
    }

    /** Removes {@code hubport}, a member whose peer is still set, moving the last member into its place. */
    void remove(Port hubport) {
        int index = hubport.exitIndex;
        int last = --size;
        Port moved = hubports[last];
        hubports[index] = moved;
        deliveries[index] = deliveries[last];
        sentFrames[index] = sentFrames[last];
        sentBytes[index] = sentBytes[last];
        enteredFrames[index] = enteredFrames[last];
        enteredBytes[index] = enteredBytes[last];
        moved.exitIndex = index;
        hubports[last] = null;
        deliveries[last] = null;
        sentFrames[last] = null;
        sentBytes[last] = null;
        enteredFrames[last] = 0;
        enteredBytes[last] = 0;
        hubport.exitIndex = -1;
        linksDown -= linksDown(hubport);
    }

    private static int linksDown(Port hubport) {
        return (hubport.linkUp ? 0 : 1) + (hubport.peer.linkUp ? 0 : 1);
    }

    /** The link of a member's hubport, or of its endpoint, went from {@code wasUp} to {@code isUp}. */
    void linkChanged(boolean wasUp, boolean isUp) {
        if (wasUp != isUp) {
            linksDown += isUp ? -1 : 1;
        }
    }

    int size() {
        return size;
    }

    /** The member at {@code index} ({@code < size()}). */
    Port hubport(int index) {
        return hubports[index];
    }

    boolean anyLinkDown() {
        return linksDown > 0;
    }

    /** Where {@code port} is among the members, or -1 if it is not one. */
    int indexOf(Port port) {
        int index = port.exitIndex;
        return index >= 0 && index < size && hubports[index] == port ? index : -1;
    }

    /** The delivery of the member at {@code index} ({@code < size()}). */
    Delivery delivery(int index) {
        return deliveries[index];
    }

    /** A frame of {@code length} bytes that crossed the hub while no link was down came in by the member at {@code index}. */
    void entered(int index, int length) {
        enteredFrames[index]++;
        enteredBytes[index] += length;
    }

    /** A frame crossing the hub while some member has a link down: each member's steps, counted at once. */
    void walk(Port entry, DirectBuffer frame, int offset, int length) {
        for (int i = 0; i < size; i++) {
            Port hubport = hubports[i];
            if (hubport == entry) {
                continue;
            }
            sentFrames[i].incrementRelease();
            sentBytes[i].getAndAddRelease(length);
            if (!hubport.linkUp) {
                hubport.counters.get(NetClientCounter.DROPPED_LINK_DOWN).incrementRelease();
            } else if (!hubport.peer.linkUp) {
                hubport.peer.counters.get(NetClientCounter.DROPPED_LINK_DOWN).incrementRelease();
            } else {
                deliveries[i].deliver(frame, offset, length);
            }
        }
    }

    /**
     * Counts at every member as sent the {@code frames} of {@code bytes} in all that crossed the hub while every link
     * was up, but those that came in by the member.
     */
    void publish(long frames, long bytes) {
        for (int i = 0; i < size; i++) {
            sentFrames[i].getAndAddRelease(frames - enteredFrames[i]);
            sentBytes[i].getAndAddRelease(bytes - enteredBytes[i]);
            enteredFrames[i] = 0;
            enteredBytes[i] = 0;
        }
    }
}
