package io.vnetd.actors.netdev;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import org.apache.pekko.actor.typed.ActorRef;

/** What a netdev entity is asked to do. The name directory checks cross-entity rules first. */
public sealed interface NetdevCommand extends JsonSerializable {

    record Create(NetdevConfig config, long ordinal, long hubOrdinal, ActorRef<Reply> replyTo) implements NetdevCommand {
    }

    record Delete(ActorRef<Reply> replyTo) implements NetdevCommand {
    }

    record SetLink(boolean up, ActorRef<Reply> replyTo) implements NetdevCommand {
    }

    /** Become the peer of {@code peer}, which is being created with this netdev as its peer. */
    record AttachPeer(NetClientRef peer, ActorRef<Reply> replyTo) implements NetdevCommand {
    }

    record DetachPeer(ActorRef<Reply> replyTo) implements NetdevCommand {
    }

    record Get(ActorRef<Reply> replyTo) implements NetdevCommand {
    }

    /** Sent by the entity to itself: try again to acquire a resource a restart could not get back. */
    record RetryRealize() implements NetdevCommand {
    }

    /** The answer to every command: sent only after the events are journaled. */
    sealed interface Reply extends JsonSerializable {
    }

    /**
     * @param status {@code ok}, or why the backend's resource is not held right now (not journaled)
     */
    record Done(String name, NetdevState state, String status) implements Reply {
    }

    record Refused(ErrorClass errorClass, String desc) implements Reply {
        public static Refused of(NetException e) {
            return new Refused(e.errorClass(), e.desc());
        }

        public NetException toException() {
            return new NetException(errorClass, desc);
        }
    }
}
