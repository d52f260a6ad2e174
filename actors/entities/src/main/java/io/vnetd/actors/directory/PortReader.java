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
 * What one node's data plane shows of its ports (description and counters), for listings served by
 * another node: in a cluster, each node runs one, pinned to it like its netdevs.
 */
final class PortReader {

    /** The reader's entity id: one per node. */
    static final String ID = "ports";

    private PortReader() {
    }

    record Read(List<NetClientRef> clients, ActorRef<Views> replyTo) implements JsonSerializable {
    }

    /** What each port shows, in the order asked. */
    record Views(List<View> views) implements JsonSerializable {
    }

    record View(String info, Optional<NetClientCounters> counters) implements JsonSerializable {
    }

    static Behavior<Read> create(PortControl ports) {
        return Behaviors.receiveMessage(read -> {
            read.replyTo().tell(new Views(read.clients().stream()
                    .map(client -> new View(ports.describe(client), ports.counters(client)))
                    .toList()));
            return Behaviors.same();
        });
    }
}
