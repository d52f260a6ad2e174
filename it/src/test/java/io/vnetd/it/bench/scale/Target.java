package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.LoadRun;
import io.vnetd.it.bench.control.Measurement;
import io.vnetd.it.bench.control.Script;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * A server the benchmark loads: vnetd (every client on its one socket) or QEMU (a monitor per client, since a
 * QEMU monitor serves one client at a time).
 *
 * @param socketOfClient the QMP socket client {@code i} connects to
 * @param jvm whether the server is a JVM, whose footprint is read after a full GC
 * @param idle how long the server may hold what a command brought into memory before it lets go of what is idle
 *             (vnetd's entities leave memory after {@code vnetd.actors.passivate-after}): a footprint is read after
 */
record Target(String name, ProcessHandle process, IntFunction<Path> socketOfClient, boolean jvm, Duration idle) {

    /** The mean time per command past which a run is given up: a bound on every wait, far beyond either server's. */
    private static final Duration PER_COMMAND = Duration.ofMillis(50);

    /**
     * Sends {@code command.apply(k)} for every {@code k < count}, client {@code c} of {@code clients} the commands
     * {@code c, c + clients, ...} in that order, each client with up to {@code depth} in flight; every answer counts.
     */
    Measurement run(String workload, int clients, int depth, int count, IntFunction<byte[]> command)
            throws InterruptedException {
        List<Path> sockets = IntStream.range(0, clients).mapToObj(socketOfClient).toList();
        IntFunction<Script> scripts = c -> Script.of(share(count, clients, c), j -> command.apply(c + j * clients));
        Measurement m = new LoadRun(name, workload, process, sockets, scripts, depth)
                .untilDone(Duration.ofMinutes(2).plus(PER_COMMAND.multipliedBy(count)));
        System.out.println(m.row()); // progress: a size takes minutes
        return m;
    }

    Footprint footprint() throws IOException, InterruptedException {
        Thread.sleep(idle);
        return jvm ? Footprint.ofJvm(process) : Footprint.ofProcess(process);
    }

    /** How many of {@code 0 .. count - 1} are {@code client} modulo {@code clients}. */
    static int share(int count, int clients, int client) {
        return Math.max(0, (count - client + clients - 1) / clients);
    }
}
