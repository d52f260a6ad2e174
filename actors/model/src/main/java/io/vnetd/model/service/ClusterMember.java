package io.vnetd.model.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vnetd.model.JsonSerializable;
import java.util.List;

/**
 * A vnetd node of the cluster, as {@code __io.vnetd_query-cluster} lists it.
 *
 * @param status     Pekko's membership status, in lower case
 * @param reachable  whether the answering node's failure detector hears from it
 * @param netClients how many netdevs and NICs live on it
 */
public record ClusterMember(String name, String address, String status, List<String> roles, boolean reachable,
                            @JsonProperty("net-clients") int netClients) implements JsonSerializable {
}
