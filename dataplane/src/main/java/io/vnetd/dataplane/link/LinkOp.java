package io.vnetd.dataplane.link;

import io.vnetd.dataplane.port.EndpointPort;
import java.util.List;

/**
 * A change the control side hands the link agent through its queue; the agent applies it between
 * duty cycles. Ports and {@link PeerLink}s are made by the control side; Aeron publications by the
 * agent, which alone uses them.
 */
sealed interface LinkOp {

    /** Publish to {@code peer} on {@code channel}, replacing any publication it had. */
    record Connect(PeerLink peer, String channel) implements LinkOp {
    }

    /** Stop publishing to {@code peer} and refuse what it sends. */
    record Disconnect(PeerLink peer) implements LinkOp {
    }

    /** Hub {@code hubId}'s uplink is {@code port}; frames it delivers go to each of {@code targets}. */
    record SetUplink(int hubId, EndpointPort port, List<PeerLink> targets) implements LinkOp {
        public SetUplink {
            targets = List.copyOf(targets);
        }
    }

    /** Hub {@code hubId} has no uplink any more (its ports were closed by the control side). */
    record RemoveUplink(int hubId) implements LinkOp {
    }
}
