package io.vnetd.actors.announce;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.nic.MacAddress;

/** A NIC that a round may announce: its name and its MAC. */
public record AnnounceTarget(String nic, MacAddress mac) implements JsonSerializable {
}
