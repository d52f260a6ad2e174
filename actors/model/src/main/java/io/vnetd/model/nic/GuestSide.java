package io.vnetd.model.nic;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.NetException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where a NIC's guest lives, as its device properties {@value #PROPERTY} and {@value #NETNS_PROPERTY}
 * name it: a Linux tap interface that vnetd makes (in network namespace {@code netns}, as
 * {@code ip netns} names it, or in vnetd's own) and owns, standing in for the guest's network stack.
 *
 * @param ifname the tap interface's name, fixed (no {@code %d}) so that a restarted vnetd finds it again
 * @param netns  the namespace's name under {@value #NETNS_DIR}; empty: vnetd's own namespace
 */
public record GuestSide(String ifname, Optional<String> netns) implements JsonSerializable {

    /** The device property that gives a NIC a guest side: {@code tap:IFNAME}. */
    public static final String PROPERTY = "__io.vnetd_guest";
    /** The device property that puts the guest's tap into a network namespace. */
    public static final String NETNS_PROPERTY = "__io.vnetd_guest-netns";
    /** Where {@code ip netns} keeps its namespaces. */
    public static final String NETNS_DIR = "/var/run/netns";

    private static final String TAP_PREFIX = "tap:";
    /** {@code IFNAMSIZ} less the NUL. */
    private static final int MAX_IFNAME_BYTES = 15;

    /**
     * Reads the two properties of a device of {@code model}; nothing when neither is given.
     *
     * @throws NetException with QEMU's wording for a property: not found on a model without a
     *                      virtio-net rx-filter, a value it doesn't take, or a namespace without a guest
     */
    public static Optional<GuestSide> fromProperties(NicModel model, Optional<String> guest, Optional<String> netns) {
        if (guest.isEmpty() && netns.isEmpty()) {
            return Optional.empty();
        }
        if (!model.hasRxFilter()) {
            throw NetException.generic("Property '" + model.driver() + "."
                    + (guest.isPresent() ? PROPERTY : NETNS_PROPERTY) + "' not found");
        }
        String owner = model.propertyOwner();
        if (guest.isEmpty()) {
            throw NetException.generic("Property '" + owner + "." + NETNS_PROPERTY + "' needs property '"
                    + PROPERTY + "'");
        }
        String value = guest.get();
        if (!value.startsWith(TAP_PREFIX) || !validName(value.substring(TAP_PREFIX.length()), MAX_IFNAME_BYTES)
                || value.contains("%")) {
            throw notTaken(owner, PROPERTY, value);
        }
        if (netns.isPresent() && !validName(netns.get(), 255)) {
            throw notTaken(owner, NETNS_PROPERTY, netns.get());
        }
        return Optional.of(new GuestSide(value.substring(TAP_PREFIX.length()), netns));
    }

    /** A name the kernel takes for an interface (and a namespace a file name): no '/', blank or dots alone. */
    private static boolean validName(String name, int maxBytes) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        return bytes > 0 && bytes <= maxBytes && !name.equals(".") && !name.equals("..")
                && name.chars().noneMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x20);
    }

    private static NetException notTaken(String owner, String property, String value) {
        return NetException.generic("Property '" + owner + "." + property + "' doesn't take value '" + value + "'");
    }

    /** The property's value, as {@code info network} and listings show it. */
    public String describe() {
        return TAP_PREFIX + ifname + netns.map(ns -> " (netns " + ns + ")").orElse("");
    }
}
