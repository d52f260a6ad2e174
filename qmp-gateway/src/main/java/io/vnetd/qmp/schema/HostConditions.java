package io.vnetd.qmp.schema;

import java.util.Locale;
import java.util.Set;

/**
 * The configuration symbols a QAPI {@code 'if'} is evaluated against. QEMU decides them when it is
 * built ({@code CONFIG_LINUX}, {@code CONFIG_AF_XDP}, ...); vnetd decides them for the host it runs
 * on, and a definition whose condition fails is absent from the schema altogether, exactly as in a
 * QEMU built without that feature.
 */
public final class HostConditions {

    private HostConditions() {
    }

    /**
     * The symbols that hold on this host. AF_XDP ({@code CONFIG_AF_XDP}) is not among them: vnetd
     * has no AF_XDP backend yet. Neither is {@code CONFIG_VMNET}, which is macOS only.
     */
    public static Set<String> detect() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return Set.of("CONFIG_POSIX", "CONFIG_LINUX", "HAVE_IPPROTO_MPTCP");
        }
        return Set.of("CONFIG_POSIX");
    }
}
