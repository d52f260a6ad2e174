package io.vnetd.actors.cluster;

import java.util.Optional;

/**
 * The entity id of a netdev or NIC: its name, and in a cluster {@code NAME@NODE}, the node it lives
 * on, or {@code NAME@*GROUP} for one that may move between nodes, kept with the other clients of its
 * group (a hubport's group is itself, its NIC joins it). The id is also the persistence id's suffix,
 * so the journal itself says where each client belongs. QEMU's ids never contain {@code @}, and node
 * names start with a letter, so both parts are always clear.
 */
public final class PlacedId {

    private static final char SEPARATOR = '@';
    private static final String ANYWHERE = "*";

    private PlacedId() {
    }

    /** Where a client of group {@code group} lives: on whichever node Cluster Sharding puts the group. */
    public static String anywhere(String group) {
        return ANYWHERE + group;
    }

    /** Whether {@code node} (a node name, or {@link #anywhere}) is that of a client that may move. */
    public static boolean movable(String node) {
        return node.startsWith(ANYWHERE);
    }

    /** The group of a client that may move, from its entity id; its name for any other. */
    public static String group(String entityId) {
        return node(entityId).filter(PlacedId::movable).map(node -> node.substring(ANYWHERE.length()))
                .orElse(name(entityId));
    }

    public static String of(String name, String node) {
        return name + SEPARATOR + node;
    }

    /** The client's name. */
    public static String name(String entityId) {
        int at = entityId.indexOf(SEPARATOR);
        return at < 0 ? entityId : entityId.substring(0, at);
    }

    /** The node the id names; none for a plain name (recorded by a single node). */
    public static Optional<String> node(String entityId) {
        int at = entityId.indexOf(SEPARATOR);
        return at < 0 ? Optional.empty() : Optional.of(entityId.substring(at + 1));
    }
}
