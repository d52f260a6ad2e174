package io.vnetd.dataplane.link;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.ReservedValueSupplier;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.dataplane.port.FrameHandler;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Moves frames between this node's uplinks and its peer nodes: each duty cycle it applies the
 * control side's {@link LinkOp}s, polls every uplink endpoint (up to {@code batchLimit} frames each)
 * and sends each frame to every peer in its hub's span, then polls the subscription (up to
 * {@code batchLimit} fragments) and offers each frame received into its hub's uplink. A refused
 * offer drops the frame and counts it: the agent never waits for a peer.
 *
 * <p>Steady state allocates nothing and takes no lock: frames go from an uplink's ring to the
 * publication without a copy (a two-part offer: the hub id, then the frame in place), and the
 * tables are primitive-keyed maps and arrays changed only by control operations.
 *
 * <p>Run by {@link ClusterLink#start()} or stepped by a caller ({@link #doWork()}) on one thread.
 */
public final class LinkAgent implements Agent {

    /** The name of the agent and of the thread {@link ClusterLink#start()} runs it on. */
    public static final String ROLE_NAME = "vnetd-link";

    /** Bytes before each frame in a message: the hub id, a little-endian int32 as Aeron's own fields. */
    public static final int HUB_ID_LENGTH = Integer.BYTES;

    private static final Uplink[] NO_UPLINKS = new Uplink[0];

    private final Aeron aeron;
    private final Subscription subscription;
    private final ManyToOneConcurrentArrayQueue<LinkOp> ops;
    private final int opsLimit;
    private final int streamId;
    private final int batchLimit;
    private final int maxFrameLength;
    private final ErrorHandler errorHandler;
    /** Stamps this node's id into every message's reserved header field. */
    private final ReservedValueSupplier localId;
    private final Consumer<LinkOp> applier = this::apply;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private final Int2ObjectHashMap<Uplink> uplinksByHub = new Int2ObjectHashMap<>();
    private Uplink[] uplinks = NO_UPLINKS;
    private final Long2ObjectHashMap<PeerLink> peersById = new Long2ObjectHashMap<>();
    private final List<PeerLink> pending = new ArrayList<>();
    private final List<PeerLink> publishing = new ArrayList<>();
    private final AtomicLong unknownNodeFrames = new AtomicLong();
    /** An uplink offered a received frame this cycle: the switching agent is woken once at its end. */
    private EndpointPort offeredTo;

    LinkAgent(Aeron aeron, Subscription subscription, ManyToOneConcurrentArrayQueue<LinkOp> ops, int streamId,
              int batchLimit, int maxFrameLength, long localNodeId, ErrorHandler errorHandler) {
        this.aeron = aeron;
        this.subscription = subscription;
        this.ops = ops;
        this.opsLimit = ops.capacity();
        this.streamId = streamId;
        this.batchLimit = batchLimit;
        this.maxFrameLength = maxFrameLength;
        this.errorHandler = errorHandler;
        this.localId = (buffer, offset, length) -> localNodeId;
    }

    @Override
    public String roleName() {
        return ROLE_NAME;
    }

    @Override
    public int doWork() {
        int work = ops.drain(applier, opsLimit);
        if (!pending.isEmpty()) {
            work += resolvePending();
        }
        for (int i = 0; i < publishing.size(); i++) {
            PeerLink peer = publishing.get(i);
            peer.connected(peer.publication.isConnected());
        }
        for (Uplink uplink : uplinks) {
            work += uplink.port.poll(uplink, batchLimit);
        }
        work += subscription.poll(assembler, batchLimit);
        if (offeredTo != null) {
            offeredTo.notifySwitch();
            offeredTo = null;
        }
        return work;
    }

    /** Messages received from nodes this link has no peer for (never peered, or removed), dropped. Any thread. */
    long unknownNodeFrames() {
        return unknownNodeFrames.get();
    }

    private void apply(LinkOp op) {
        switch (op) {
            case LinkOp.Connect connect -> {
                PeerLink peer = connect.peer();
                release(peer);
                peer.pendingRegistration = aeron.asyncAddPublication(connect.channel(), streamId);
                pending.add(peer);
                peersById.put(peer.id(), peer);
            }
            case LinkOp.Disconnect disconnect -> {
                release(disconnect.peer());
                peersById.remove(disconnect.peer().id());
            }
            case LinkOp.SetUplink set -> {
                Uplink uplink = uplinksByHub.get(set.hubId());
                PeerLink[] targets = set.targets().toArray(PeerLink[]::new);
                if (uplink != null && uplink.port == set.port()) {
                    uplink.targets = targets;
                } else {
                    uplinksByHub.put(set.hubId(), new Uplink(set.hubId(), set.port(), targets, localId));
                    uplinks = uplinksByHub.values().toArray(NO_UPLINKS);
                }
            }
            case LinkOp.RemoveUplink remove -> {
                if (uplinksByHub.remove(remove.hubId()) != null) {
                    uplinks = uplinksByHub.values().toArray(NO_UPLINKS);
                }
            }
        }
    }

    /** Closes the peer's publication, or gives up the one being made. */
    private void release(PeerLink peer) {
        if (peer.publication != null) {
            peer.publication.close();
            peer.publication = null;
            peer.connected(false);
            publishing.remove(peer);
        }
        if (peer.pendingRegistration != PeerLink.NONE) {
            aeron.asyncRemovePublication(peer.pendingRegistration);
            peer.pendingRegistration = PeerLink.NONE;
            pending.remove(peer);
        }
    }

    /** Takes the publications the media driver has made since; a refused one is reported, its peer stays unconnected. */
    private int resolvePending() {
        int resolved = 0;
        for (int i = pending.size() - 1; i >= 0; i--) {
            PeerLink peer = pending.get(i);
            try {
                Publication publication = aeron.getPublication(peer.pendingRegistration);
                if (publication == null) {
                    continue;
                }
                peer.publication = publication;
                publishing.add(peer);
            } catch (RuntimeException e) {
                errorHandler.onError(new IllegalStateException(
                        "cluster link: no publication to node '" + peer.node() + "'", e));
            }
            peer.pendingRegistration = PeerLink.NONE;
            pending.remove(i);
            resolved++;
        }
        return resolved;
    }

    private void onMessage(DirectBuffer buffer, int offset, int length, Header header) {
        PeerLink from = peersById.get(header.reservedValue());
        if (from == null) {
            unknownNodeFrames.lazySet(unknownNodeFrames.get() + 1);
            return;
        }
        int frameLength = length - HUB_ID_LENGTH;
        if (frameLength < 1 || frameLength > maxFrameLength) {
            from.count(PeerLink.DROPPED_MALFORMED);
            return;
        }
        Uplink uplink = uplinksByHub.get(buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN));
        if (uplink == null) {
            from.count(PeerLink.DROPPED_UNKNOWN_HUB);
        } else if (uplink.port.offer(buffer, offset + HUB_ID_LENGTH, frameLength)) {
            from.count(PeerLink.FRAMES_RECEIVED, PeerLink.BYTES_RECEIVED, frameLength);
            offeredTo = uplink.port;
        } else {
            from.count(PeerLink.DROPPED_RING_FULL);
        }
    }

    /** One hub's uplink: frames the hub delivers to its endpoint go to every peer of the hub's span. */
    private static final class Uplink implements FrameHandler {
        private final EndpointPort port;
        private final UnsafeBuffer hubId = new UnsafeBuffer(new byte[HUB_ID_LENGTH]);
        private final ReservedValueSupplier localId;
        private PeerLink[] targets;

        Uplink(int hubId, EndpointPort port, PeerLink[] targets, ReservedValueSupplier localId) {
            this.port = port;
            this.hubId.putInt(0, hubId, ByteOrder.LITTLE_ENDIAN);
            this.targets = targets;
            this.localId = localId;
        }

        @Override
        public void onFrame(DirectBuffer frame, int offset, int length) {
            for (PeerLink peer : targets) {
                send(peer, frame, offset, length);
            }
        }

        private void send(PeerLink peer, DirectBuffer frame, int offset, int length) {
            Publication publication = peer.publication;
            if (publication == null) {
                peer.count(PeerLink.DROPPED_NOT_CONNECTED);
                return;
            }
            long result = publication.offer(hubId, 0, HUB_ID_LENGTH, frame, offset, length, localId);
            if (result == Publication.ADMIN_ACTION) {
                // The offer rotated the term itself: a second one finds room at once, without waiting.
                result = publication.offer(hubId, 0, HUB_ID_LENGTH, frame, offset, length, localId);
            }
            if (result > 0) {
                peer.count(PeerLink.FRAMES_SENT, PeerLink.BYTES_SENT, length);
            } else if (result == Publication.BACK_PRESSURED) {
                peer.count(PeerLink.DROPPED_BACK_PRESSURED);
            } else if (result == Publication.NOT_CONNECTED) {
                peer.count(PeerLink.DROPPED_NOT_CONNECTED);
            } else if (result == Publication.ADMIN_ACTION) {
                peer.count(PeerLink.DROPPED_ADMIN_ACTION);
            } else {
                peer.count(PeerLink.DROPPED_OTHER);
            }
        }
    }
}
