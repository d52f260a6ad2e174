package io.vnetd.dataplane.switching;

import java.util.Arrays;

/**
 * The routes of every endpoint port, by slot. Read and written by the switching agent only, between
 * batches: a change to the model replaces the routes of the endpoints it affects, not the table.
 */
final class ForwardingTable {

    private final Route[] routes;

    ForwardingTable(int maxPorts) {
        this.routes = new Route[maxPorts];
    }

    /** The route of the port tagged {@code tag}, or null if that port is not (or no longer) open. */
    Route route(int tag) {
        Route route = routes[PortTag.slot(tag)];
        return route != null && route.tag == tag ? route : null;
    }

    void put(Route route) {
        routes[PortTag.slot(route.tag)] = route;
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
