package io.vnetd.dataplane.switching;

import io.vnetd.dataplane.filter.FrameFilter;
import java.util.Objects;

/**
 * A change to the switch's model, queued by the control plane and applied by the switching agent
 * between batches. Ports are named as the control plane names them; the tag of an open or a close
 * pins the operation to one incarnation of the name.
 */
public sealed interface ControlOp {

    /** The port the operation is about. */
    String name();

    /** Creates a hubport of hub {@code hubId}, link up, no peer. */
    record OpenHubport(String name, int tag, int hubId) implements ControlOp {
        public OpenHubport {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Creates an endpoint port whose deliveries go to {@code outbound}, link up, no peer. */
    record OpenEndpoint(String name, int tag, Outbound outbound) implements ControlOp {
        public OpenEndpoint {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(outbound, "outbound");
        }
    }

    /** Removes the port opened with {@code tag} and any peering it has, on both sides. */
    record Close(String name, int tag) implements ControlOp {
        public Close {
            Objects.requireNonNull(name, "name");
        }
    }

    record SetLink(String name, boolean up) implements ControlOp {
        public SetLink {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Makes {@code name} and {@code peer} peers, replacing any earlier peering of either; remembered
     * until one side is closed or disconnected, and effective while both ports exist.
     */
    record Connect(String name, String peer) implements ControlOp {
        public Connect {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(peer, "peer");
            if (name.equals(peer)) {
                throw new IllegalArgumentException("a port cannot be its own peer: '" + name + "'");
            }
        }
    }

    record Disconnect(String name) implements ControlOp {
        public Disconnect {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Replaces the receive filter of endpoint port {@code name}. */
    record SetRxFilter(String name, FrameFilter filter) implements ControlOp {
        public SetRxFilter {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(filter, "filter");
        }
    }
}
