package io.vnetd.actors.directory;

import io.vnetd.actors.api.NetworkView;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevConfig;
import io.vnetd.actors.serialization.JsonSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** Requests to the name directory, and the messages it sends itself while it works. */
public sealed interface DirectoryCommand extends JsonSerializable {

    /** A request that names net clients; two requests naming the same client run one after the other. */
    sealed interface Request extends DirectoryCommand {
        ActorRef<NetdevCommand.Reply> replyTo();
    }

    record AddNetdev(NetdevConfig config, ActorRef<NetdevCommand.Reply> replyTo) implements Request {
    }

    record DelNetdev(String id, ActorRef<NetdevCommand.Reply> replyTo) implements Request {
    }

    record SetLink(String name, boolean up, ActorRef<NetdevCommand.Reply> replyTo) implements Request {
    }

    record Query(ActorRef<NetworkView> replyTo) implements DirectoryCommand {
    }

    /** Every entity's state, collected at start. */
    record Recovered(List<NetdevCommand.Done> states) implements DirectoryCommand {
    }

    record RecoveryFailed(String reason) implements DirectoryCommand {
    }

    /** A request's entity work is over: confirmed states to index, and the answer to give. */
    record Finished(Request request, List<String> locked, List<NetdevCommand.Done> confirmed,
                    NetdevCommand.Reply answer) implements DirectoryCommand {
    }
}
