package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.service.NetEventPublisher;

/** What a backend gets from the data plane: its settings, its port and counters, the resolver, events. */
public interface BackendEnv {

    DataPlane.Context settings();

    /** Attaches endpoint port {@code name} (see {@link DataPlane#attachEndpoint}). */
    EndpointPort attachEndpoint(String name);

    BackendCounters allocateCounters(String name);

    /** Where stream connection events go; never blocks. */
    NetEventPublisher events();

    Resolver resolver();
}
