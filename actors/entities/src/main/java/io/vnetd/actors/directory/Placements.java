package io.vnetd.actors.directory;

import io.vnetd.actors.cluster.PlacedId;
import io.vnetd.model.netclient.NetClientRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which node each netdev and NIC lives on, and the entity id that addresses it there. A single node
 * (and, in a cluster, every client recorded by a single node before it grew into one) uses the plain
 * name and lives on the founding node, the first seed; a client created in a cluster is
 * {@code NAME@NODE}, so that the journal's persistence ids say where each client belongs and the
 * directory can wake it there at start without reading its events.
 *
 * <p>Written by the directory (at recovery, and when it accepts a creation), read by the entity work
 * on whatever thread an answer arrives: a request holds its clients' locks, so nobody changes the
 * placement of a client while work on it is in flight.
 */
final class Placements {

    /** @param entityId the sharding entity id (and persistence id suffix) of the client */
    record Placement(String node, String entityId) {
    }

    private final Map<NetClientRef, Placement> placed = new ConcurrentHashMap<>();
    /** The node each client that may move was last seen on (its entity says, in each answer). */
    private final Map<NetClientRef, String> located = new ConcurrentHashMap<>();
    private final String foundingNode;
    private final boolean clustered;

    boolean clustered() {
        return clustered;
    }

    String foundingNode() {
        return foundingNode;
    }

    Placements(String foundingNode, boolean clustered) {
        this.foundingNode = foundingNode;
        this.clustered = clustered;
    }

    /** Where the client of {@code entityId} lives. */
    Placement ofEntity(String entityId) {
        return new Placement(PlacedId.node(entityId).orElse(foundingNode), entityId);
    }

    /** Where {@code client} lives (a client never placed lives where a single node would keep it). */
    Placement of(NetClientRef client) {
        Placement placement = placed.get(client);
        return placement != null ? placement : new Placement(foundingNode, client.name());
    }

    /** Places a client about to be created on {@code node}. */
    Placement place(NetClientRef client, String node) {
        Placement placement = clustered ? new Placement(node, PlacedId.of(client.name(), node))
                : new Placement(foundingNode, client.name());
        record(client, placement);
        return placement;
    }

    /**
     * The node {@code client} runs on now: its own node, or for one that may move the node its entity
     * answered from last; none if it has not answered yet.
     */
    Optional<String> where(NetClientRef client) {
        Placement placement = of(client);
        return PlacedId.movable(placement.node()) ? Optional.ofNullable(located.get(client)) : Optional.of(placement.node());
    }

    /** {@code client}'s entity answered from {@code node}. */
    void located(NetClientRef client, String node) {
        if (clustered && PlacedId.movable(of(client).node())) {
            located.put(client, node);
        }
    }

    /** The clients that may move and were last seen on {@code node}. */
    List<NetClientRef> movedFrom(String node) {
        return located.entrySet().stream().filter(e -> e.getValue().equals(node)).map(Map.Entry::getKey).toList();
    }

    /** Records where a client recovered from the journal lives. */
    void record(NetClientRef client, Placement placement) {
        if (clustered) {
            placed.put(client, placement);
        }
    }
}
