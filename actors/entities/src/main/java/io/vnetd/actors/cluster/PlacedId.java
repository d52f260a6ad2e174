package io.vnetd.actors.cluster;

import java.util.Optional;

/**
 * The entity id of a netdev or NIC: its name, and in a cluster {@code NAME@NODE}, the node it lives
 * on. The id is also the persistence id's suffix, so the journal itself says where each client
 * belongs. QEMU's ids never contain {@code @}, so the name is always what precedes it.
 */
public final class PlacedId {

    private static final char SEPARATOR = '@';

    private PlacedId() {
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
