package io.vnetd.actors.api;

import io.vnetd.actors.serialization.JsonSerializable;
import java.util.List;

/**
 * A consistent picture of every net client, for listings.
 *
 * @param hubs    hub ids in the order the hubs were created
 * @param clients net clients in the order they were created
 */
public record NetworkView(List<Integer> hubs, List<NetClientInfo> clients) implements JsonSerializable {
    public NetworkView {
        hubs = List.copyOf(hubs);
        clients = List.copyOf(clients);
    }
}
