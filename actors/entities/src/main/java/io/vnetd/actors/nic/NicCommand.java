package io.vnetd.actors.nic;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicConfig;
import org.apache.pekko.actor.typed.ActorRef;

/** What a NIC entity is asked to do, by the directory or by its guest side. */
public sealed interface NicCommand extends JsonSerializable {

    record Create(NicConfig config, long ordinal, ActorRef<Reply> replyTo) implements NicCommand {
    }

    record Delete(ActorRef<Reply> replyTo) implements NicCommand {
    }

    record SetLink(boolean up, ActorRef<Reply> replyTo) implements NicCommand {
    }

    /** Its backend was deleted. */
    record PeerDeleted(ActorRef<Reply> replyTo) implements NicCommand {
    }

    record Get(ActorRef<Reply> replyTo) implements NicCommand {
    }

    /** {@code query-rx-filter} reads the filter, which re-arms {@code NIC_RX_FILTER_CHANGED}. */
    record QueryRxFilter(ActorRef<Reply> replyTo) implements NicCommand {
    }

    /** A control message from the guest side. */
    record Guest(GuestControl control, ActorRef<Reply> replyTo) implements NicCommand {
    }

    sealed interface Reply extends JsonSerializable {
    }

    /** Answered after the journal committed the command's events. */
    record Done(String name, NicState state) implements Reply {
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
