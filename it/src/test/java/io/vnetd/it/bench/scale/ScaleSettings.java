package io.vnetd.it.bench.scale;

import java.util.Arrays;
import java.util.List;

/**
 * The scale benchmark's knobs, as system properties (Maven passes {@code -Dkey=value} on to the tests). The
 * daemon's JVM options, QEMU's binary and whether QEMU runs are the other benchmarks' knobs
 * ({@code vnetd.bench.daemon-options}, {@code vnetd.bench.qemu}, {@code vnetd.bench.qemu-runs}).
 */
final class ScaleSettings {

    private ScaleSettings() {
    }

    /** The numbers of net clients measured, in order ({@code vnetd.bench.scale.sizes}, e.g. {@code 1000,10000}). */
    static List<Integer> sizes() {
        return Arrays.stream(System.getProperty("vnetd.bench.scale.sizes", "1000,10000,100000").split(","))
                .map(String::strip).map(Integer::valueOf).toList();
    }

    /** Commands of each kind measured at every size ({@code vnetd.bench.scale.commands}). */
    static int commands() {
        return Integer.getInteger("vnetd.bench.scale.commands", 2000);
    }

    /**
     * The largest size QEMU is measured at ({@code vnetd.bench.scale.qemu-max-size}): QEMU looks each new netdev's
     * id up in a list of all of them, so its 100,000 would take hours.
     */
    static int qemuMaxSize() {
        return Integer.getInteger("vnetd.bench.scale.qemu-max-size", 10_000);
    }

    /** Clients sending the measured commands, one command in flight each ({@code vnetd.bench.scale.clients}). */
    static int clients() {
        return Integer.getInteger("vnetd.bench.scale.clients", 4);
    }
}
