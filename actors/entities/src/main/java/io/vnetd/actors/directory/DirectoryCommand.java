package io.vnetd.actors.directory;

import io.vnetd.actors.announce.AnnounceTarget;
import io.vnetd.actors.cluster.HubSpans;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.service.NetworkView;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/** What the name directory is asked, and what it tells itself while it works. */
public sealed interface DirectoryCommand extends JsonSerializable {

    /** A request that changes or reads net clients; requests sharing a client run one after the other. */
    sealed interface Request extends DirectoryCommand {
        ActorRef<DirectoryReply> replyTo();
    }

    /**
     * {@code netdev_add}; a {@code declared} netdev (from the command line) that exists with the same
     * configuration is left as it is, and one that exists with another is refused.
     *
     * @param node the node named by the request, if any; else the one that received it
     */
    record AddNetdev(NetdevConfig config, Optional<String> node, String receivedBy, boolean declared,
                     ActorRef<DirectoryReply> replyTo) implements Request {
    }

    record DelNetdev(String id, ActorRef<DirectoryReply> replyTo) implements Request {
    }

    record SetLink(String name, boolean up, ActorRef<DirectoryReply> replyTo) implements Request {
    }

    /**
     * {@code device_add} of a NIC; {@code declared} as for {@link AddNetdev}. The NIC lives with its
     * netdev, or without one on the node that received the request.
     */
    record AddNic(NicRequest request, String receivedBy, boolean declared, ActorRef<DirectoryReply> replyTo)
            implements Request {
    }

    /** {@code device_del}: a device id or a QOM path. */
    record DelNic(String device, ActorRef<DirectoryReply> replyTo) implements Request {
    }

    record QueryRxFilter(Optional<String> name, ActorRef<DirectoryReply> replyTo) implements Request {
    }

    /** A control message from a NIC's guest side. */
    record Guest(String nic, GuestControl control, ActorRef<DirectoryReply> replyTo) implements Request {
    }

    /**
     * A node (re)started: its netdevs and NICs are asked for their state, which starts each on it
     * (re-acquiring its resource) and tells the index what it holds now.
     */
    record WakeNode(String node, ActorRef<DirectoryReply> replyTo) implements Request {
    }

    /**
     * A node left the cluster: the clients that may move and ran there are asked for their state,
     * which starts each on a node that is still up, and the index learns where.
     */
    record WakeMoved(String node, ActorRef<DirectoryReply> replyTo) implements Request {
    }

    /** A read of the index alone, answered at once. */
    sealed interface Read extends DirectoryCommand {
    }

    /** Answered once the directory serves: every entity is recovered and every port realized. */
    record AwaitServing(ActorRef<DirectoryReply> replyTo) implements Read {
    }

    /** The NICs an announcement round goes to, in creation order. */
    record ListNics(ActorRef<NicList> replyTo) implements Read {
    }

    record NicList(List<AnnounceTarget> nics) implements JsonSerializable {
    }

    record Query(ActorRef<NetworkView> replyTo) implements Read {
    }

    /** Which nodes have ports of each hub (for the nodes' data-plane links). */
    record QueryHubSpans(ActorRef<HubSpans> replyTo) implements Read {
    }

    /** What the directory tells itself: how its recovery and its requests' entity work went. */
    sealed interface Progress extends DirectoryCommand {
    }

    /** Every entity's state, collected at start. */
    record Recovered(List<Confirmed> states) implements Progress {
    }

    record RecoveryFailed(String reason) implements Progress {
    }

    /** A request's entity work is over: the locks it held, and the confirmed states to index. */
    record Finished(List<Lock> held, List<Confirmed> confirmed) implements Progress {
    }
}
