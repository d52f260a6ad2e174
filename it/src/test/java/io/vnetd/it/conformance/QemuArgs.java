package io.vnetd.it.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A case's QEMU command-line arguments ({@code runner.qemu-args}) as vnetd takes them: vnetd
 * accepts QEMU's {@code -netdev TYPE,...} and {@code -device DRIVER,...}; the machine options QEMU
 * needed to run at all mean nothing to a network daemon and are dropped; anything else is refused,
 * so a new case cannot be run with part of its set-up silently lost.
 */
final class QemuArgs {

    /** Options vnetd passes on, each with one value. */
    static final Set<String> KEPT = Set.of("-netdev", "-device");

    /** Machine options dropped, with how many values each takes (documented in docs/conformance.md). */
    static final Map<String, Integer> DROPPED = Map.ofEntries(
            Map.entry("-M", 1), Map.entry("-machine", 1), Map.entry("-accel", 1), Map.entry("-enable-kvm", 0),
            Map.entry("-S", 0), Map.entry("-nodefaults", 0), Map.entry("-display", 1), Map.entry("-nographic", 0),
            Map.entry("-m", 1), Map.entry("-smp", 1), Map.entry("-name", 1), Map.entry("-qmp", 1));

    /** {@code -device} drivers that only build QEMU's bus topology; vnetd's NICs take {@code bus=} as given. */
    static final Set<String> BUS_DRIVERS = Set.of("pcie-root-port", "pci-bridge", "pcie-pci-bridge");

    private QemuArgs() {
    }

    static List<String> forVnetd(List<String> qemuArgs) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < qemuArgs.size(); i++) {
            String arg = qemuArgs.get(i);
            // QEMU accepts --option as well as -option.
            String option = arg.startsWith("--") ? arg.substring(1) : arg;
            if (KEPT.contains(option)) {
                if (i + 1 >= qemuArgs.size()) {
                    throw new IllegalArgumentException(arg + " without a value in " + qemuArgs);
                }
                String value = qemuArgs.get(++i);
                if (!(option.equals("-device") && BUS_DRIVERS.contains(value.split(",", 2)[0]))) {
                    kept.add(option);
                    kept.add(value);
                }
            } else if (DROPPED.containsKey(option)) {
                i += DROPPED.get(option);
            } else {
                throw new IllegalArgumentException("QEMU option " + arg + " has no meaning decided for vnetd yet:"
                        + " add it to QemuArgs (kept or dropped) and to docs/conformance.md");
            }
        }
        return kept;
    }
}
