package io.vnetd.actors.announce;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.nic.MacAddress;

/** A NIC that a round may announce: its name, its MAC and the node it lives on. */
public record AnnounceTarget(String nic, MacAddress mac, String node) implements JsonSerializable {
}
