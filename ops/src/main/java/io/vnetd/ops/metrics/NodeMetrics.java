package io.vnetd.ops.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vnetd.journal.WriteGroupListener;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.service.NetworkView;
import io.vnetd.qmp.protocol.CommandOutcomes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A node's Prometheus metrics ({@code vnetd.metrics.listen}): what the QMP gateway and the journal tell as they work
 * (commands by name and outcome, write groups), what the data plane counts (read at scrape time), the entities, and
 * the JVM's own. Created before the node's parts start, so that they report from their first command;
 * {@link #serve} opens the HTTP endpoint once the node is up.
 */
public final class NodeMetrics implements AutoCloseable {

    /** What a command answered with a {@code return} counts as. */
    static final String SUCCESS = "success";

    /** Flush times from a RAM disk's to a slow disk's. */
    private static final double[] WRITE_SECONDS = {
            0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    /** Up to the journal's largest group (its max-batch). */
    private static final double[] GROUP_SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter commands;
    private final Histogram writeSeconds;
    private final Histogram groupRequests;
    private final Histogram groupEvents;
    private HTTPServer server;
    private InetSocketAddress address;

    public NodeMetrics() {
        commands = Counter.builder()
                .name("vnetd_qmp_commands")
                .help("QMP requests answered, by command (\"unknown\" for a name the schema lacks) and outcome"
                        + " (\"success\", or the error class answered)")
                .labelNames("command", "outcome")
                .register(registry);
        writeSeconds = Histogram.builder()
                .name("vnetd_journal_write_seconds")
                .help("Time to append one group of writes to the journal's write-ahead log and flush it")
                .classicOnly().classicUpperBounds(WRITE_SECONDS)
                .register(registry);
        groupRequests = Histogram.builder()
                .name("vnetd_journal_write_group_requests")
                .help("Write requests logged together by one flush (group commit)")
                .classicOnly().classicUpperBounds(GROUP_SIZES)
                .register(registry);
        groupEvents = Histogram.builder()
                .name("vnetd_journal_write_group_events")
                .help("Events logged together by one flush (group commit)")
                .classicOnly().classicUpperBounds(GROUP_SIZES)
                .register(registry);
        WriteGroupListener.install(this::logged);
    }

    /** What the QMP server tells of each answer. */
    public CommandOutcomes commandOutcomes() {
        return this::answered;
    }

    private void answered(String command, Optional<ErrorClass> error) {
        commands.labelValues(command, error.map(ErrorClass::name).orElse(SUCCESS)).inc();
    }

    private void logged(int requests, int events, long nanos) {
        writeSeconds.observe(nanos / 1e9);
        groupRequests.observe(requests);
        groupEvents.observe(events);
    }

    /**
     * Adds the net clients, the entities and the JVM's metrics, and serves them all at {@code http://ADDRESS/metrics}.
     *
     * @param index    the directory's index
     * @param counters a net client's counters as this node's data plane has them
     * @param node     this node's name
     * @throws UncheckedIOException if the address cannot be bound
     */
    public void serve(InetSocketAddress address, Supplier<CompletionStage<NetworkView>> index,
                      Function<NetClientRef, Optional<NetClientCounters>> counters, String node, Duration timeout) {
        this.address = address;
        registry.register(new NetClientCollector(index, counters, node, timeout));
        JvmMetrics.builder().register(registry);
        try {
            server = HTTPServer.builder()
                    .inetAddress(address.getAddress())
                    .port(address.getPort())
                    .registry(registry)
                    .buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("metrics: cannot listen on " + address.getHostString() + ":"
                    + address.getPort() + ": " + e.getMessage(), e);
        }
    }

    /** Where the metrics are served ({@code http://127.0.0.1:9464/metrics}: a port 0 shows the one bound). */
    public Optional<String> url() {
        if (server == null) {
            return Optional.empty();
        }
        String host = address.getAddress().getHostAddress();
        return Optional.of("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort() + "/metrics");
    }

    @Override
    public void close() {
        WriteGroupListener.install(WriteGroupListener.NONE);
        if (server != null) {
            server.close();
        }
    }
}
