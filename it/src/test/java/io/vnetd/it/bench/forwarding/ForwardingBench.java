package io.vnetd.it.bench.forwarding;

import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.it.interop.Ports;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Frames per second and forwarder CPU per frame, QEMU 7.2 against vnetd, with the same netdevs on
 * both command lines and the same generator: a stream server into a hub out through another stream
 * server, and a dgram netdev into a hub out through another, at 64 and 1500 bytes. The runs of the
 * two alternate, so that both see the same machine; each figure is the median of the runs. Then the
 * same hub between two vhost-user ports, which QEMU cannot serve (it is a vhost-user front-end only),
 * on vnetd alone, set beside the stream rows of the same run. Figures are printed, never asserted.
 */
public final class ForwardingBench {

    private static final ThreadMXBean GENERATOR = ManagementFactory.getThreadMXBean();

    /** Loopback address of every socket; {@code 0x7f000001}. */
    private static final int LOOPBACK = 0x7f000001;

    /** How the generator reaches the forwarder's hub. */
    enum Transport {
        STREAM, DGRAM, VHOST_USER
    }

    /** One measurement: a transport, a frame length and the generator's window. */
    record Scenario(String name, Transport transport, int frameLength, int window) {
        boolean qemuCanServe() {
            return transport != Transport.VHOST_USER;
        }
    }

    /** The medians of one scenario for both forwarders; {@code qemu} is null where QEMU cannot serve it. */
    record Row(Scenario scenario, Figures qemu, Figures vnetd) {
    }

    /** Medians over the runs: frames per second, forwarder CPU per frame, frames lost and bad. */
    record Figures(double framesPerSecond, double cpuMicrosPerFrame, long lost, long bad) {
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("stream -> hub -> stream, 64 B", Transport.STREAM, 64, 4096),
            new Scenario("stream -> hub -> stream, 1500 B", Transport.STREAM, 1500, 512),
            new Scenario("dgram -> hub -> dgram, 64 B", Transport.DGRAM, 64, 64),
            new Scenario("dgram -> hub -> dgram, 1500 B", Transport.DGRAM, 1500, 64),
            new Scenario("vhost-user -> hub -> vhost-user, 64 B", Transport.VHOST_USER, 64, VhostUserLoad.RING),
            new Scenario("vhost-user -> hub -> vhost-user, 1500 B", Transport.VHOST_USER, 1500, VhostUserLoad.RING));

    private final Path dir;
    private final int runs;
    private final Duration runLength;
    private final PrintStream out;

    ForwardingBench(Path dir, int runs, Duration runLength, PrintStream out) {
        this.dir = dir;
        this.runs = runs;
        this.runLength = runLength;
        this.out = out;
    }

    /**
     * Arguments: working directory, runs per scenario (5), seconds per run (3), and optionally the
     * scenarios to run: those whose name contains this text (e.g. {@code dgram}).
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/forwarding-bench");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Duration each = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 3);
        String only = args.length > 3 ? args[3] : "";
        ForwardingBench bench = new ForwardingBench(dir, runs, each, System.out);
        bench.report(bench.runAll(only));
    }

    /** Runs the scenarios whose name contains {@code only} (all for an empty string). */
    List<Row> runAll(String only) throws IOException {
        out.printf("generator ceiling (dgram self-loop, 64 B): %,.0f frames/s%n", datagramCeiling(64));
        out.printf("generator ceiling (dgram self-loop, 1500 B): %,.0f frames/s%n", datagramCeiling(1500));
        List<Row> rows = new ArrayList<>();
        int index = 0;
        for (Scenario scenario : SCENARIOS) {
            if (scenario.name().contains(only)) {
                rows.add(run(scenario, dir.resolve("s" + index)));
            }
            index++;
        }
        return rows;
    }

    private double datagramCeiling(int frameLength) {
        int port = Ports.udp();
        SockAddr self = SockAddr.inet4(LOOPBACK, port);
        try (DatagramLoad load = new DatagramLoad(SockAddr.inet4(LOOPBACK, 0), self, self, frameLength, 256, 64)) {
            load.run(Duration.ofSeconds(1));
            return load.run(runLength).framesPerSecond();
        }
    }

    Row run(Scenario scenario, Path work) throws IOException {
        if (!scenario.qemuCanServe()) {
            return runVnetdOnly(scenario, work);
        }
        Endpoints q = new Endpoints(scenario.transport(), work.resolve("qemu"));
        Endpoints v = new Endpoints(scenario.transport(), work.resolve("vnetd"));
        try (Forwarder qemu = Forwarder.QemuForwarder.start(work.resolve("qemu"), q.netdevs());
             Forwarder vnetd = Forwarder.VnetdForwarder.start(work.resolve("vnetd"), v.netdevs());
             Load qemuLoad = q.load(scenario);
             Load vnetdLoad = v.load(scenario)) {
            out.printf("%n%s (window %d, %d runs of %s each)%n", scenario.name(), scenario.window(), runs, runLength);
            measure(qemu, qemuLoad, Duration.ofSeconds(1));
            measure(vnetd, vnetdLoad, Duration.ofSeconds(1));
            List<Sample> qemuSamples = new ArrayList<>();
            List<Sample> vnetdSamples = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                qemuSamples.add(print(qemu, measure(qemu, qemuLoad, runLength)));
                vnetdSamples.add(print(vnetd, measure(vnetd, vnetdLoad, runLength)));
            }
            return new Row(scenario, median(qemuSamples), median(vnetdSamples));
        }
    }

    private Row runVnetdOnly(Scenario scenario, Path work) throws IOException {
        Endpoints v = new Endpoints(scenario.transport(), work.resolve("vnetd"));
        try (Forwarder vnetd = Forwarder.VnetdForwarder.start(work.resolve("vnetd"), v.netdevs());
             Load vnetdLoad = v.load(scenario)) {
            out.printf("%n%s (window %d, %d runs of %s each; vnetd only)%n", scenario.name(), scenario.window(), runs,
                    runLength);
            measure(vnetd, vnetdLoad, Duration.ofSeconds(1));
            List<Sample> vnetdSamples = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                vnetdSamples.add(print(vnetd, measure(vnetd, vnetdLoad, runLength)));
            }
            return new Row(scenario, null, median(vnetdSamples));
        }
    }

    /** One run: the generator's result, the forwarder's CPU seconds and the generator's over it. */
    record Sample(Load.Result result, double cpuSeconds, double generatorCpuSeconds) {
        double cpuMicrosPerFrame() {
            return result.frames() == 0 ? Double.NaN : cpuSeconds * 1e6 / result.frames();
        }
    }

    private static Sample measure(Forwarder forwarder, Load load, Duration duration) {
        long generatorBefore = GENERATOR.getCurrentThreadCpuTime();
        double before = ProcessCpu.seconds(forwarder.pid());
        Load.Result result = load.run(duration);
        double after = ProcessCpu.seconds(forwarder.pid());
        long generatorAfter = GENERATOR.getCurrentThreadCpuTime();
        return new Sample(result, after - before, (generatorAfter - generatorBefore) / 1e9);
    }

    private Sample print(Forwarder forwarder, Sample sample) {
        out.printf("  %-9s %,12.0f frames/s  %6.2f us CPU/frame  %4.0f%% CPU  (generator %3.0f%%)  lost %d  bad %d%n",
                forwarder.name(), sample.result().framesPerSecond(), sample.cpuMicrosPerFrame(),
                100 * sample.cpuSeconds() / sample.result().seconds(),
                100 * sample.generatorCpuSeconds() / sample.result().seconds(), sample.result().lost(), sample.result().bad());
        return sample;
    }

    private static Figures median(List<Sample> samples) {
        return new Figures(median(samples, s -> s.result().framesPerSecond()), median(samples, Sample::cpuMicrosPerFrame),
                (long) median(samples, s -> (double) s.result().lost()), (long) median(samples, s -> (double) s.result().bad()));
    }

    private static double median(List<Sample> samples, Function<Sample, Double> figure) {
        double[] values = samples.stream().mapToDouble(figure::apply).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }

    void report(List<Row> rows) {
        out.printf("%n%-40s %14s %14s %7s %11s %11s %7s%n", "medians", "QEMU fps", "vnetd fps", "ratio",
                "QEMU us/f", "vnetd us/f", "ratio");
        for (Row row : rows) {
            if (row.qemu() == null) {
                out.printf("%-40s %14s %,14.0f %7s %11s %11.3f %7s%n", row.scenario().name(), "n/a",
                        row.vnetd().framesPerSecond(), "", "n/a", row.vnetd().cpuMicrosPerFrame(), "");
            } else {
                out.printf("%-40s %,14.0f %,14.0f %6.2fx %11.2f %11.3f %6.2fx%n", row.scenario().name(),
                        row.qemu().framesPerSecond(), row.vnetd().framesPerSecond(),
                        row.vnetd().framesPerSecond() / row.qemu().framesPerSecond(),
                        row.qemu().cpuMicrosPerFrame(), row.vnetd().cpuMicrosPerFrame(),
                        row.vnetd().cpuMicrosPerFrame() / row.qemu().cpuMicrosPerFrame());
            }
        }
        for (Row vhost : rows) {
            if (vhost.scenario().transport() != Transport.VHOST_USER) {
                continue;
            }
            for (Row stream : rows) {
                if (stream.scenario().transport() == Transport.STREAM
                        && stream.scenario().frameLength() == vhost.scenario().frameLength()) {
                    out.printf("vhost-user against stream, %4d B: %5.2fx vnetd's stream frames/s at %5.2fx its CPU per"
                                    + " frame; %5.2fx QEMU's stream hub at %5.2fx its CPU per frame%n",
                            vhost.scenario().frameLength(),
                            vhost.vnetd().framesPerSecond() / stream.vnetd().framesPerSecond(),
                            vhost.vnetd().cpuMicrosPerFrame() / stream.vnetd().cpuMicrosPerFrame(),
                            vhost.vnetd().framesPerSecond() / stream.qemu().framesPerSecond(),
                            vhost.vnetd().cpuMicrosPerFrame() / stream.qemu().cpuMicrosPerFrame());
                }
            }
        }
    }

    /** The ports of one forwarder's netdevs and the generator's own. */
    private static final class Endpoints {
        private final Transport transport;
        private final Path sockets;
        private final int in = Ports.tcp();
        private final int out = Ports.tcp();
        private final int inLocal = Ports.udp();
        private final int inRemote = Ports.udp();
        private final int outLocal = Ports.udp();
        private final int outRemote = Ports.udp();

        Endpoints(Transport transport, Path sockets) {
            this.transport = transport;
            this.sockets = sockets;
        }

        List<String> netdevs() {
            if (transport == Transport.VHOST_USER) {
                return List.of(
                        "__io.vnetd_vhost-user-port,id=vin,path=" + sockets.resolve("vin.sock"),
                        "hubport,id=hin,hubid=0,netdev=vin",
                        "__io.vnetd_vhost-user-port,id=vout,path=" + sockets.resolve("vout.sock"),
                        "hubport,id=hout,hubid=0,netdev=vout");
            }
            if (transport == Transport.STREAM) {
                return List.of(
                        "stream,id=sin,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=" + in,
                        "hubport,id=hin,hubid=0,netdev=sin",
                        "stream,id=sout,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=" + out,
                        "hubport,id=hout,hubid=0,netdev=sout");
            }
            return List.of(
                    dgram("din", inLocal, inRemote), "hubport,id=hin,hubid=0,netdev=din",
                    dgram("dout", outLocal, outRemote), "hubport,id=hout,hubid=0,netdev=dout");
        }

        private static String dgram(String id, int local, int remote) {
            return "dgram,id=" + id + ",local.type=inet,local.host=127.0.0.1,local.port=" + local
                    + ",remote.type=inet,remote.host=127.0.0.1,remote.port=" + remote;
        }

        Load load(Scenario scenario) {
            if (transport == Transport.VHOST_USER) {
                return new VhostUserLoad(sockets.resolve("vin.sock"), sockets.resolve("vout.sock"), scenario.frameLength());
            }
            if (transport == Transport.STREAM) {
                return new StreamLoad(new InetSocketAddress("127.0.0.1", in), new InetSocketAddress("127.0.0.1", out),
                        scenario.frameLength(), scenario.window());
            }
            return new DatagramLoad(SockAddr.inet4(LOOPBACK, inRemote), SockAddr.inet4(LOOPBACK, inLocal),
                    SockAddr.inet4(LOOPBACK, outRemote), scenario.frameLength(), scenario.window(), 64);
        }
    }
}
