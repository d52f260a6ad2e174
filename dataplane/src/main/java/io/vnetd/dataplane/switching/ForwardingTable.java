package io.vnetd.dataplane.switching;

/** The routes of every endpoint port, by slot. Immutable: a change to the model compiles a new one. */
final class ForwardingTable {

    private final Route[] routes;

    ForwardingTable(Route[] routes) {
        this.routes = routes;
    }

    /** The route of the port tagged {@code tag}, or null if that port is not (or no longer) open. */
    Route route(int tag) {
        Route route = routes[PortTag.slot(tag)];
        return route != null && route.tag == tag ? route : null;
    }
}
