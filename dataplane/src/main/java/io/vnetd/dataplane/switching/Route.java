package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.counters.Counter;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.agrona.DirectBuffer;

/**
 * What becomes of every frame one endpoint sends, compiled from the model as a short program in
 * pre-order of the frame's walk: counters each frame moves (the sender's, those of the hubports it
 * crosses, those where a missing peer or a loop drops a copy), link checks, and the endpoints it is
 * delivered to. A link check reads the port's link state as the frame passes and, when the link is
 * down, counts the drop and skips the part of the walk behind that port; so link changes need no
 * new route.
 *
 * <p>Where the frame leaves a hub it crosses for an endpoint or for nowhere is one step: the hub's
 * {@link HubDeliveries} and {@link PeerlessPorts}, shared by every route through that hub and read as
 * the frame passes (all but the port it came in by), so a route holds steps for the ports that lead
 * on to other hubs, not for every port of its hubs.
 *
 * <p>While every link on the walk is up, which is the common case, a frame takes the same steps as
 * the program's but straight from its parts (the counters, the fixed drops, the hubs left,
 * the deliveries), without interpreting it, and its counts wait in plain fields for the end of the
 * duty cycle ({@link PendingCounts}).
 */
final class Route implements PendingCounts.Holder {

    /** Moves a frame counter and a byte counter. */
    static final byte COUNT = 0;
    /** Moves a frame counter: a copy dropped for a reason fixed at compilation (no peer, a loop). */
    static final byte DROP = 1;
    /** Goes on if the port's link is up; otherwise counts a link-down drop and jumps. */
    static final byte LINK = 2;
    /** Hands the frame to an endpoint. */
    static final byte DELIVER = 3;
    /** The frame leaves a hub by every port peered with an endpoint or with nothing, save the one it came in by. */
    static final byte EXITS = 4;

    final int tag;
    private final byte[] ops;
    private final Counter[] frames;
    private final Counter[] bytes;
    /** The port a link check reads, or by which the frame came into the hub it leaves. */
    private final Port[] portOf;
    private final int[] skipTo;
    private final Delivery[] deliveries;
    private final Hub[] hubOf;
    /**
     * The ports of every link check, the counters of every count and drop, every delivery, every hub left with the
     * port it was entered by: the program without its jumps.
     */
    private final Port[] links;
    private final Hub[] hubsLeft;
    private final Port[] hubEntries;
    private final Counter[] countedFrames;
    private final Counter[] countedBytes;
    private final Counter[] fixedDrops;
    private final Delivery[] targets;
    private final PendingCounts pending;
    /** Frames, and their bytes, that took every step since the counters were last published. */
    private long pendingFrames;
    private long pendingBytes;

    Route(int tag, byte[] ops, Counter[] frames, Counter[] bytes, Port[] portOf, int[] skipTo,
          Delivery[] deliveries, Hub[] hubOf, PendingCounts pending) {
        this.pending = pending;
        this.tag = tag;
        this.ops = ops;
        this.frames = frames;
        this.bytes = bytes;
        this.portOf = portOf;
        this.skipTo = skipTo;
        this.deliveries = deliveries;
        this.hubOf = hubOf;
        this.links = stepsOf(LINK, portOf, Port[]::new);
        this.hubsLeft = stepsOf(EXITS, hubOf, Hub[]::new);
        this.hubEntries = stepsOf(EXITS, portOf, Port[]::new);
        this.countedFrames = stepsOf(COUNT, frames, Counter[]::new);
        this.countedBytes = stepsOf(COUNT, bytes, Counter[]::new);
        this.fixedDrops = stepsOf(DROP, frames, Counter[]::new);
        this.targets = stepsOf(DELIVER, deliveries, Delivery[]::new);
    }

    private <T> T[] stepsOf(byte op, T[] operands, IntFunction<T[]> newArray) {
        return IntStream.range(0, ops.length).filter(step -> ops[step] == op).mapToObj(step -> operands[step])
                .toArray(newArray);
    }

    void forward(DirectBuffer frame, int offset, int length) {
        for (Port link : links) {
            if (!link.linkUp) {
                walk(frame, offset, length);
                return;
            }
        }
        for (Hub hub : hubsLeft) {
            if (hub.anyLinkDown()) {
                walk(frame, offset, length);
                return;
            }
        }
        if (pendingFrames++ == 0) {
            pending.add(this);
        }
        pendingBytes += length;
        for (int i = 0; i < hubsLeft.length; i++) {
            // The members' loop is here rather than in the hub so that each delivery is compiled into this method,
            // as a compiled step's is: a call deeper, the JIT leaves them out of line.
            Hub hub = hubsLeft[i];
            hub.crossed(length);
            HubDeliveries exits = hub.deliveries;
            int entry = exits.indexOf(hubEntries[i]);
            if (entry >= 0) {
                exits.entered(entry, length);
            }
            for (int m = 0, n = exits.size(); m < n; m++) {
                if (m != entry) {
                    exits.delivery(m).deliver(frame, offset, length);
                }
            }
        }
        for (Delivery target : targets) {
            target.deliver(frame, offset, length);
        }
    }

    @Override
    public void publish() {
        for (int i = 0; i < countedFrames.length; i++) {
            countedFrames[i].getAndAddRelease(pendingFrames);
            countedBytes[i].getAndAddRelease(pendingBytes);
        }
        for (Counter drop : fixedDrops) {
            drop.getAndAddRelease(pendingFrames);
        }
        pendingFrames = 0;
        pendingBytes = 0;
    }

    /** The program step by step: some link is down. */
    private void walk(DirectBuffer frame, int offset, int length) {
        int step = 0;
        while (step < ops.length) {
            switch (ops[step]) {
                case COUNT -> {
                    frames[step].incrementRelease();
                    bytes[step].getAndAddRelease(length);
                    step++;
                }
                case DROP -> {
                    frames[step].incrementRelease();
                    step++;
                }
                case LINK -> {
                    if (portOf[step].linkUp) {
                        step++;
                    } else {
                        frames[step].incrementRelease();
                        step = skipTo[step];
                    }
                }
                case EXITS -> {
                    hubOf[step].walk(portOf[step], frame, offset, length);
                    step++;
                }
                default -> {
                    deliveries[step].deliver(frame, offset, length);
                    step++;
                }
            }
        }
    }
}
