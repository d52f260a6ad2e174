package io.vnetd.actors.cluster;

import io.vnetd.model.JsonSerializable;
import java.util.Map;
import java.util.Set;

/**
 * Which nodes have ports of each hub, as the directory knows it: what each node's {@link HubLinkDriver}
 * turns into its data plane's link spans. Hubs on one node only are left out.
 */
public record HubSpans(Map<Integer, Set<String>> nodesByHub) implements JsonSerializable {

    /** The name of the topic the directory publishes them on. */
    public static final String TOPIC = "vnetd-hub-spans";
}
