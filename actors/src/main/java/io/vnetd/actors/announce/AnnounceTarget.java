package io.vnetd.actors.announce;

import io.vnetd.actors.nic.MacAddress;
import io.vnetd.actors.serialization.JsonSerializable;

/** A NIC that a round may announce: its name and its MAC. */
public record AnnounceTarget(String nic, MacAddress mac) implements JsonSerializable {
}
