package io.vnetd.actors.announce;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What an announce timer is asked to do. */
public sealed interface AnnounceCommand extends JsonSerializable {

    /** {@code announce-self}: answered once the (re)start is journaled; round 1 follows at once. */
    record Start(AnnounceParameters params, ActorRef<Reply> replyTo) implements AnnounceCommand {
    }

    /** Wakes the timer (recovery at start resumes its schedule). */
    record Wake(ActorRef<Reply> replyTo) implements AnnounceCommand {
    }

    /** The answer to {@code Start} and {@code Wake}. */
    sealed interface Reply extends JsonSerializable {
    }

    /** The timer's state once the command is journaled. */
    record Started(AnnounceState state) implements Reply {
    }

    record Refused(ErrorClass errorClass, String desc) implements Reply {
        public static Refused of(NetException e) {
            return new Refused(e.errorClass(), e.desc());
        }

        public NetException toException() {
            return new NetException(errorClass, desc);
        }
    }

    /** A round of generation {@code generation} is due. */
    record Fire(long generation) implements AnnounceCommand {
    }

    /** The NICs to announce, listed for a round of generation {@code generation}. */
    record Targets(long generation, List<AnnounceTarget> nics) implements AnnounceCommand {
    }
}
