package io.vnetd.actors.nic;

import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicConfig;
import org.apache.pekko.actor.typed.ActorRef;

/** What a NIC entity is asked to do, by the directory or by its guest side. */
public sealed interface NicCommand extends JsonSerializable {

    record Create(NicConfig config, long ordinal, ActorRef<EntityReply<Done>> replyTo) implements NicCommand {
    }

    record Delete(ActorRef<EntityReply<Done>> replyTo) implements NicCommand {
    }

    record SetLink(boolean up, ActorRef<EntityReply<Done>> replyTo) implements NicCommand {
    }

    /** Its backend was deleted. */
    record PeerDeleted(ActorRef<EntityReply<Done>> replyTo) implements NicCommand {
    }

    /** The entity's idle clock: nothing came for a while. */
    record Idle() implements NicCommand {
    }

    record Get(ActorRef<EntityReply<Done>> replyTo) implements NicCommand {
    }

    /** {@code query-rx-filter} reads the filter, which re-arms {@code NIC_RX_FILTER_CHANGED}. */
    record QueryRxFilter(ActorRef<EntityReply<Done>> replyTo) implements NicCommand {
    }

    /** A control message from the guest side. */
    record Guest(GuestControl control, ActorRef<EntityReply<Done>> replyTo) implements NicCommand {
    }

    /**
     * The answer to every command the NIC carried out, sent after the journal committed its events.
     *
     * @param node the node the entity runs on (a NIC that may move tells the directory where it is)
     */
    record Done(String name, NicState state, String node) implements EntityReply.Accepted<Done> {
    }
}
