package io.vnetd.actors.announce;

import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.announce.AnnounceParameters;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What an announce timer is asked to do. */
public sealed interface AnnounceCommand extends JsonSerializable {

    /** {@code announce-self}: answered once the (re)start is journaled; round 1 follows at once. */
    record Start(AnnounceParameters params, ActorRef<EntityReply<Started>> replyTo) implements AnnounceCommand {
    }

    /** Wakes the timer (recovery at start resumes its schedule). */
    record Wake(ActorRef<EntityReply<Started>> replyTo) implements AnnounceCommand {
    }

    /** The answer to {@code Start} and {@code Wake}: the timer's state once the command is journaled. */
    record Started(AnnounceState state) implements EntityReply.Accepted<Started> {
    }

    /** A round of generation {@code generation} is due. */
    record Fire(long generation) implements AnnounceCommand {
    }

    /** The NICs to announce, listed for a round of generation {@code generation}. */
    record Targets(long generation, List<AnnounceTarget> nics) implements AnnounceCommand {
    }
}
