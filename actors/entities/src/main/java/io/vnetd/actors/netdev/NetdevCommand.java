package io.vnetd.actors.netdev;

import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a netdev entity is asked to do. The name directory checks cross-entity rules first. */
public sealed interface NetdevCommand extends JsonSerializable {

    record Create(NetdevConfig config, long ordinal, long hubOrdinal, ActorRef<EntityReply<Done>> replyTo)
            implements NetdevCommand {
    }

    record Delete(ActorRef<EntityReply<Done>> replyTo) implements NetdevCommand {
    }

    /** Set the link, recording {@code alongWith}: the other clients the command sets (see {@link NetdevEvent.LinkSet}). */
    record SetLink(boolean up, List<NetClientRef> alongWith, ActorRef<EntityReply<Done>> replyTo)
            implements NetdevCommand {
    }

    /** The clients the last {@link SetLink} named have their link set too. */
    record CompleteLinkSet(ActorRef<EntityReply<Done>> replyTo) implements NetdevCommand {
    }

    /** Become the peer of {@code peer}, which is being created with this netdev as its peer. */
    record AttachPeer(NetClientRef peer, ActorRef<EntityReply<Done>> replyTo) implements NetdevCommand {
    }

    record DetachPeer(ActorRef<EntityReply<Done>> replyTo) implements NetdevCommand {
    }

    record Get(ActorRef<EntityReply<Done>> replyTo) implements NetdevCommand {
    }

    /** The entity's idle clock: nothing came for a while. */
    record Idle() implements NetdevCommand {
    }

    /** Sent by the entity to itself: try again to acquire a resource a restart could not get back. */
    record RetryRealize() implements NetdevCommand {
    }

    /**
     * The answer to every command the netdev carried out, sent only after its events are journaled.
     *
     * @param status {@code ok}, or why the backend's resource is not held right now (not journaled)
     * @param node   the node the entity runs on (a netdev that may move tells the directory where it is)
     */
    record Done(String name, NetdevState state, String status, String node) implements EntityReply.Accepted<Done> {
    }
}
