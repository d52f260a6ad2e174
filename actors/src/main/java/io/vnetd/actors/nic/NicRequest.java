package io.vnetd.actors.nic;

import io.vnetd.actors.serialization.JsonSerializable;
import java.util.Optional;

/** A {@code device_add} of a NIC as the user gave it, before QEMU's rules and defaults. */
public record NicRequest(String driver, Optional<String> id, Optional<String> netdev, Optional<String> mac,
                         Optional<String> bus, Optional<String> addr, boolean failover) implements JsonSerializable {
}
