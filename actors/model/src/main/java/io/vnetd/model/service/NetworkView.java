package io.vnetd.model.service;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientInfo;
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
