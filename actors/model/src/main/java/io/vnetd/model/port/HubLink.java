package io.vnetd.model.port;

import java.util.Set;
import java.util.SortedMap;

/**
 * How the parts of a hub on different nodes become one hub: this node's data plane sends what its part
 * of a hub forwards to the other nodes that have ports of it, and delivers what they send to its local
 * ports only. The control plane says where the other nodes listen and which hubs span which nodes.
 * Calls never wait for frames to move, and every call is idempotent.
 */
public interface HubLink {

    /** Where node {@code node}'s link listens (from its cluster membership). */
    void peer(String node, String host, int port);

    /** Node {@code node} has left the cluster. */
    void removePeer(String node);

    /** Hub {@code hubId} has ports on {@code remoteNodes} besides this node; an empty set: only here, or not here. */
    void span(int hubId, Set<String> remoteNodes);

    /** What the link counted for each node it was told of, by node name; readable while frames flow. */
    SortedMap<String, LinkCounters> counters();
}
