package io.vnetd.model.nic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.vnetd.model.JsonSerializable;
import java.util.List;

/**
 * QAPI's {@code RxFilterInfo}: one NIC's receive filter as {@code query-rx-filter} reports it, members
 * in the order QEMU's wire shows them.
 */
@JsonPropertyOrder({"promiscuous", "name", "main-mac", "unicast", "vlan", "vlan-table", "unicast-table",
    "multicast", "multicast-overflow", "unicast-overflow", "multicast-table", "broadcast-allowed"})
public record RxFilterInfo(
        String name,
        boolean promiscuous,
        String multicast,
        String unicast,
        String vlan,
        @JsonProperty("broadcast-allowed") boolean broadcastAllowed,
        @JsonProperty("multicast-overflow") boolean multicastOverflow,
        @JsonProperty("unicast-overflow") boolean unicastOverflow,
        @JsonProperty("main-mac") String mainMac,
        @JsonProperty("vlan-table") List<Integer> vlanTable,
        @JsonProperty("unicast-table") List<String> unicastTable,
        @JsonProperty("multicast-table") List<String> multicastTable) implements JsonSerializable {
}
