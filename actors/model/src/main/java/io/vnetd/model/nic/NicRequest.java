package io.vnetd.model.nic;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.NetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code device_add} of a NIC as the user gave it, before QEMU's rules and defaults.
 *
 * @param unknownProperties properties no NIC model has, refused once the device's own checks pass
 * @param guest             property {@value GuestSide#PROPERTY}, as given
 * @param guestNetns        property {@value GuestSide#NETNS_PROPERTY}, as given
 */
public record NicRequest(String driver, Optional<String> id, Optional<String> netdev, Optional<String> mac,
                         Optional<String> bus, Optional<String> addr, boolean failover,
                         List<String> unknownProperties, Optional<String> guest, Optional<String> guestNetns)
        implements JsonSerializable {

    /** Properties of PCI devices that only matter to a guest's firmware: accepted and ignored. */
    private static final Set<String> FIRMWARE_PROPERTIES = Set.of("romfile", "rombar", "bootindex", "multifunction");

    public NicRequest {
        unknownProperties = List.copyOf(unknownProperties);
        guest = guest == null ? Optional.empty() : guest;
        guestNetns = guestNetns == null ? Optional.empty() : guestNetns;
    }

    public NicRequest(String driver, Optional<String> id, Optional<String> netdev, Optional<String> mac,
                      Optional<String> bus, Optional<String> addr, boolean failover, List<String> unknownProperties) {
        this(driver, id, netdev, mac, bus, addr, failover, unknownProperties, Optional.empty(), Optional.empty());
    }

    public NicRequest(String driver, Optional<String> id, Optional<String> netdev, Optional<String> mac,
                      Optional<String> bus, Optional<String> addr, boolean failover) {
        this(driver, id, netdev, mac, bus, addr, failover, List.of());
    }

    /**
     * Reads the properties of {@code device_add} (or {@code -device}) as QEMU's QemuOpts hold them:
     * every value a string.
     */
    public static NicRequest fromProperties(Map<String, String> properties) {
        Map<String, String> rest = new LinkedHashMap<>(properties);
        String driver = rest.remove("driver");
        if (driver == null) {
            throw NetException.generic("Parameter 'driver' is missing");
        }
        Optional<String> id = Optional.ofNullable(rest.remove("id"));
        Optional<String> netdev = Optional.ofNullable(rest.remove("netdev"));
        Optional<String> mac = Optional.ofNullable(rest.remove("mac"));
        Optional<String> bus = Optional.ofNullable(rest.remove("bus"));
        Optional<String> addr = Optional.ofNullable(rest.remove("addr"));
        Optional<String> guest = Optional.ofNullable(rest.remove(GuestSide.PROPERTY));
        Optional<String> guestNetns = Optional.ofNullable(rest.remove(GuestSide.NETNS_PROPERTY));
        String failover = rest.remove("failover");
        boolean failoverOn = failover != null && parseBool(driver, failover);
        rest.keySet().removeAll(FIRMWARE_PROPERTIES);
        return new NicRequest(driver, id, netdev, mac, bus, addr, failoverOn, new ArrayList<>(rest.keySet()),
                guest, guestNetns);
    }

    private static boolean parseBool(String driver, String value) {
        return switch (value) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw NetException.generic("Parameter 'failover' expects 'on' or 'off'");
        };
    }
}
