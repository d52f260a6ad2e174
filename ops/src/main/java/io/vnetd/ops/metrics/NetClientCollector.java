package io.vnetd.ops.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.service.NetworkView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every net client of this node with its frame counters, and this node's entities by kind, read when Prometheus
 * scrapes: the directory's index once (names, types, hubs), then each client's counters straight from the data
 * plane's counter store. Nothing is copied on the packet path, and a scrape is one pass over the clients (each
 * counter's data points are gathered in one list per counter), so 100,000 clients cost 100,000 reads.
 */
final class NetClientCollector implements MultiCollector {

    static final String ENTITIES = "vnetd_entities";
    private static final String TOTAL = "_total";
    private static final NetClientCounter[] COUNTERS = NetClientCounter.values();

    private final Supplier<CompletionStage<NetworkView>> index;
    private final Function<NetClientRef, Optional<NetClientCounters>> counters;
    private final String node;
    private final Duration timeout;
    private final MetricMetadata[] metadata = new MetricMetadata[COUNTERS.length];

    /**
     * @param index    the directory's index of every net client of the cluster
     * @param counters a client's counters as this node's data plane has them now
     * @param node     this node's name: clients of other nodes are theirs to export
     * @param timeout  how long a scrape waits for the index
     */
    NetClientCollector(Supplier<CompletionStage<NetworkView>> index,
                       Function<NetClientRef, Optional<NetClientCounters>> counters, String node, Duration timeout) {
        this.index = index;
        this.counters = counters;
        this.node = node;
        this.timeout = timeout;
        for (NetClientCounter counter : COUNTERS) {
            String name = counter.prometheusName();
            // The exposition adds _total to a counter's name itself.
            metadata[counter.ordinal()] = new MetricMetadata(name.substring(0, name.length() - TOTAL.length()),
                    "Net client counter " + counter.qmpName() + ": " + counter.meaning());
        }
    }

    @Override
    public MetricSnapshots collect() {
        NetworkView view = awaitIndex();
        List<List<CounterDataPointSnapshot>> points = new ArrayList<>(COUNTERS.length);
        for (int i = 0; i < COUNTERS.length; i++) {
            points.add(new ArrayList<>());
        }
        long netdevs = 0;
        long nics = 0;
        for (NetClientInfo client : view.clients()) {
            if (!client.node().equals(node)) {
                continue;
            }
            boolean nic = client.type().equals("nic");
            if (nic) {
                nics++;
            } else {
                netdevs++;
            }
            Optional<NetClientCounters> values = counters.apply(nic
                    ? NetClientRef.nic(client.name()) : NetClientRef.netdev(client.name()));
            if (values.isEmpty()) {
                continue; // no port: its resource is unavailable, and the listing says why
            }
            Labels labels = client.hubId().isPresent()
                    ? Labels.of("name", client.name(), "type", client.type(), "hub", Integer.toString(client.hubId().getAsInt()))
                    : Labels.of("name", client.name(), "type", client.type());
            for (NetClientCounter counter : COUNTERS) {
                points.get(counter.ordinal()).add(
                        new CounterDataPointSnapshot(values.get().get(counter), labels, null, 0));
            }
        }
        List<MetricSnapshot> snapshots = new ArrayList<>(COUNTERS.length + 1);
        for (NetClientCounter counter : COUNTERS) {
            snapshots.add(new CounterSnapshot(metadata[counter.ordinal()], points.get(counter.ordinal())));
        }
        snapshots.add(new GaugeSnapshot(new MetricMetadata(ENTITIES, "Entities living on this node, by kind"), List.of(
                new GaugeDataPointSnapshot(netdevs, Labels.of("kind", "netdev"), null),
                new GaugeDataPointSnapshot(nics, Labels.of("kind", "nic"), null))));
        return new MetricSnapshots(snapshots);
    }

    private NetworkView awaitIndex() {
        try {
            return index.get().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the directory");
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the directory: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the directory did not answer within " + timeout);
        }
    }
}
