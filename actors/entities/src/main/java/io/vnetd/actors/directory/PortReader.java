package io.vnetd.actors.directory;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.port.PortControl;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One node's data plane as other nodes reach it: what its ports show (description and counters), for
 * listings served elsewhere, and the frames an announce timer running elsewhere sends through its
 * NICs. In a cluster each node runs one, pinned to it like its netdevs.
 */
final class PortReader {

    /** The reader's entity id: one per node. */
    static final String ID = "ports";

    private PortReader() {
    }

    sealed interface Command extends JsonSerializable {
    }

    record Read(List<NetClientRef> clients, ActorRef<Views> replyTo) implements Command {
    }

    /** A frame for a NIC's guest, as {@link PortControl#inject}. */
    record Inject(String nic, byte[] frame) implements Command {
    }

    /** What each port shows, in the order asked. */
    record Views(List<View> views) implements JsonSerializable {
    }

    record View(String info, Optional<NetClientCounters> counters) implements JsonSerializable {
    }

    static Behavior<Command> create(PortControl ports) {
        return Behaviors.receive(Command.class)
                .onMessage(Read.class, read -> {
                    read.replyTo().tell(new Views(read.clients().stream()
                            .map(client -> new View(ports.describe(client), ports.counters(client)))
                            .toList()));
                    return Behaviors.same();
                })
                .onMessage(Inject.class, inject -> {
                    ports.inject(inject.nic(), inject.frame());
                    return Behaviors.same();
                })
                .build();
    }
}
