package io.vnetd.it.tap;

import io.vnetd.it.interop.Qemu;
import io.vnetd.it.support.VnetdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Round trips through two tap netdevs on a hub, vnetd against QEMU 7.2 given the same
 * {@code -netdev} options (QEMU with {@code -M none}, no guest): each tap in a namespace of its own,
 * {@code ping -f} (flood: the next request leaves when the reply is in) from one to the other.
 * Prints round trips per second and the average round-trip time of each run, then the medians;
 * runs alternate between the two forwarders. Nothing is asserted.
 *
 * <pre>
 * flock /tmp/vnetd-bench.lock java -Dvnetd.jar=ops/target/vnetd.jar -Dvnetd.jvm.flags="$VNETD_JVM_FLAGS" \
 *     -cp "it/target/test-classes:$(cat it/target/bench.classpath)" io.vnetd.it.tap.TapPingBench DIR [RUNS] [PINGS]
 * </pre>
 */
public final class TapPingBench {

    private static final String NS_A = "vtbenchA";
    private static final String NS_B = "vtbenchB";
    private static final String TAP_A = "vtbench0";
    private static final String TAP_B = "vtbench1";
    private static final List<String> NETDEVS = List.of(
            "tap,id=ta,ifname=" + TAP_A + ",script=no,downscript=no",
            "tap,id=tb,ifname=" + TAP_B + ",script=no,downscript=no",
            "hubport,id=ha,hubid=0,netdev=ta",
            "hubport,id=hb,hubid=0,netdev=tb");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) received.*time (\\d+)ms");
    private static final Pattern RTT = Pattern.compile("= [\\d.]+/([\\d.]+)/");

    private TapPingBench() {
    }

    record Run(double roundTripsPerSecond, double averageRttMs) {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int pings = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        Host.assumeTapsAndNamespaces();
        List<Run> qemu = new ArrayList<>();
        List<Run> vnetd = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                if (Qemu.installed()) {
                    qemu.add(run("QEMU 7.2", dir.resolve("qemu-" + i), pings, true));
                }
                vnetd.add(run("vnetd", dir.resolve("vnetd-" + i), pings, false));
            }
        } finally {
            Host.remove(List.of(NS_A, NS_B), List.of(TAP_A, TAP_B));
        }
        System.out.println();
        if (!qemu.isEmpty()) {
            print("QEMU 7.2 median", median(qemu));
        }
        print("vnetd median", median(vnetd));
    }

    private static Run run(String name, Path dir, int pings, boolean qemu) throws Exception {
        Host.remove(List.of(NS_A, NS_B), List.of(TAP_A, TAP_B));
        Host.must("ip", "netns", "add", NS_A);
        Host.must("ip", "netns", "add", NS_B);
        Files.createDirectories(dir);
        AutoCloseable forwarder = qemu ? Qemu.start(dir, NETDEVS) : VnetdProcess.start(dir, netdevArgs());
        try (forwarder) {
            if (!Host.await(() -> Host.interfaceExists(TAP_A) && Host.interfaceExists(TAP_B), 30)) {
                throw new IllegalStateException(name + " made no taps");
            }
            Host.moveAndAddress(TAP_A, NS_A, "198.18.226.1/24");
            Host.moveAndAddress(TAP_B, NS_B, "198.18.226.2/24");
            if (!Host.ping(NS_A, "198.18.226.2", 10)) {
                throw new IllegalStateException(name + ": no ping across");
            }
            Host.Result flood = Host.in(NS_A, "ping", "-q", "-f", "-c", String.valueOf(pings), "-w", "15", "198.18.226.2");
            Matcher summary = SUMMARY.matcher(flood.output());
            Matcher rtt = RTT.matcher(flood.output());
            if (!summary.find() || !rtt.find()) {
                throw new IllegalStateException(name + ": ping said " + flood.output());
            }
            Run run = new Run(Long.parseLong(summary.group(1)) * 1000.0 / Math.max(1, Long.parseLong(summary.group(2))),
                    Double.parseDouble(rtt.group(1)));
            print(name, run);
            return run;
        }
    }

    private static String[] netdevArgs() {
        List<String> args = new ArrayList<>();
        for (String netdev : NETDEVS) {
            args.add("-netdev");
            args.add(netdev);
        }
        return args.toArray(String[]::new);
    }

    private static Run median(List<Run> runs) {
        double[] rates = runs.stream().mapToDouble(Run::roundTripsPerSecond).sorted().toArray();
        double[] rtts = runs.stream().mapToDouble(Run::averageRttMs).sorted().toArray();
        return new Run(rates[rates.length / 2], rtts[rtts.length / 2]);
    }

    private static void print(String name, Run run) {
        System.out.println(String.format(Locale.ROOT, "%-16s %9.0f round trips/s   average rtt %.3f ms",
                name, run.roundTripsPerSecond(), run.averageRttMs()));
    }
}
