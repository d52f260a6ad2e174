package io.vnetd.model.netdev;

import io.vnetd.model.error.NetException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules {@code netdev_add} checks before it looks at any state, in QEMU's order
 * ({@code qmp_netdev_add}, then {@code net_client_init1}): the id's shape, then whether the type is
 * a backend at all.
 */
public final class NetdevRules {

    /** QEMU's {@code id_wellformed}: a letter, then letters, digits, '-', '.', '_'. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");

    /**
     * Members of {@code NetClientDriver} that name no backend netdev_add can create here: a NIC is a
     * device, and vnetd is built without netmap, a user-mode IP stack (slirp) and VDE, answering as
     * QEMU built without them does.
     */
    private static final Set<String> NOT_A_BACKEND = Set.of("nic", "none", "netmap", "user", "vde");

    /** Backends whose data path vnetd has. */
    private static final Set<String> SUPPORTED = Set.of("hubport", "vhost-user", "vhost-vdpa", "socket", "stream", "dgram",
            "tap", "bridge", "l2tpv3", NetdevConfig.VhostUserPort.TYPE);

    private NetdevRules() {
    }

    public static void requireIdentifier(String id) {
        if (!IDENTIFIER.matcher(id).matches()) {
            throw NetException.generic("Parameter 'id' expects an identifier");
        }
    }

    /** Checks a {@code netdev_add} before its type-specific members are bound. */
    public static void checkAdd(String id, String type) {
        requireIdentifier(id);
        if (NOT_A_BACKEND.contains(type)) {
            throw NetException.generic("network backend '" + type + "' is not compiled into this binary");
        }
        if (!SUPPORTED.contains(type)) {
            throw NetException.generic("network backend '" + type + "' is not supported by vnetd yet");
        }
    }
}
