package io.vnetd.dataplane.switching;

import java.util.Arrays;

/**
 * The routes of every endpoint port, by slot. Read and written by the switching agent only, between
 * batches: a change to the model replaces the routes of the endpoints it affects, not the table. It
 * grows (doubling) when a port in a higher slot opens, never while frames are forwarded.
 */
final class ForwardingTable {

    private static final int INITIAL_SLOTS = 64;

    private Route[] routes = new Route[INITIAL_SLOTS];

    /** The route of the port tagged {@code tag}, or null if that port is not (or no longer) open. */
    Route route(int tag) {
        int slot = PortTag.slot(tag);
        Route route = slot < routes.length ? routes[slot] : null;
        return route != null && route.tag == tag ? route : null;
    }

    void put(Route route) {
        int slot = PortTag.slot(route.tag);
        if (slot >= routes.length) {
            routes = Arrays.copyOf(routes, Math.max(routes.length * 2, slot + 1));
        }
        routes[slot] = route;
    }

    /** Forgets the route of the port tagged {@code tag}, unless its slot has a newer port's already. */
    void remove(int tag) {
        if (route(tag) != null) {
            routes[PortTag.slot(tag)] = null;
        }
    }

    void clear() {
        Arrays.fill(routes, null);
    }
}
