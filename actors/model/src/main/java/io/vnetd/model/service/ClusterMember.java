package io.vnetd.model.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.port.LinkCounters;
import java.util.List;
import java.util.Optional;

/**
 * A vnetd node of the cluster, as {@code __io.vnetd_query-cluster} lists it.
 *
 * @param status     Pekko's membership status, in lower case
 * @param reachable  whether the answering node's failure detector hears from it
 * @param netClients how many netdevs and NICs live on it
 * @param link       what the answering node's data-plane link counted for it (none for the answering
 *                   node itself, and on a single node)
 */
public record ClusterMember(String name, String address, String status, List<String> roles, boolean reachable,
                            @JsonProperty("net-clients") int netClients, Optional<LinkCounters> link)
        implements JsonSerializable {
}
