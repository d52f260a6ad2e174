package io.vnetd.ops.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vnetd.actors.directory.ControlPlane;
import io.vnetd.actors.events.NetEventBus;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.link.ClusterLink;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.ops.metrics.MetricsSettings;
import io.vnetd.ops.metrics.NodeMetrics;
import io.vnetd.qmp.keyval.CommandLineNetwork;
import io.vnetd.qmp.schema.HostConditions;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.server.QmpEndpoint;
import io.vnetd.qmp.server.QmpServer;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One vnetd node: the data plane, the actor system (a cluster member that joins itself when it is
 * alone), the control plane and the QMP server, started in that order and closed in reverse.
 */
public final class VnetdNode implements AutoCloseable {

    private final DataPlane dataPlane;
    private final ClusterLink link;
    private final ActorSystem<Void> system;
    private final QmpServer qmp;
    private final Optional<NodeMetrics> metrics;

    private VnetdNode(DataPlane dataPlane, ClusterLink link, ActorSystem<Void> system, QmpServer qmp,
                      Optional<NodeMetrics> metrics) {
        this.dataPlane = dataPlane;
        this.link = link;
        this.system = system;
        this.qmp = qmp;
        this.metrics = metrics;
    }

    /** vnetd's own version, from the jar it runs from. */
    public static String version() {
        String version = VnetdNode.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    /**
     * Loads the configuration, highest precedence first: environment and system-property overrides,
     * the command line, the user's file, the node's Pekko settings, every module's reference.conf.
     */
    public static Config loadConfig(Config overrides, Config userFile, DataDirectory data) {
        Config dataKeys = ConfigFactory.empty()
                .withValue("vnetd.data-dir", ConfigValueFactory.fromAnyRef(data.root().toString()))
                .withValue("vnetd.lmdb.dir", ConfigValueFactory.fromAnyRef(data.journal().toString()))
                // Beside the journal it indexes: a journal removed or copied takes its snapshot with it.
                .withValue("vnetd.actors.directory-snapshot.file",
                        ConfigValueFactory.fromAnyRef(data.journal().resolve("directory.snapshot").toString()));
        Config given = ConfigFactory.defaultOverrides()
                .withFallback(overrides)
                .withFallback(dataKeys)
                .withFallback(userFile);
        Config loaded = given
                .withFallback(ConfigFactory.parseResources(VnetdNode.class.getClassLoader(), "vnetd-node.conf"))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        // The cluster block decides remoting, journal and roles; what the user sets explicitly still wins.
        return given.withFallback(ClusterSettings.from(loaded).pekkoConfig()).withFallback(loaded).resolve();
    }

    /**
     * Starts a node and returns once it has recovered every entity, applied the command line's
     * {@code -netdev} and {@code -device} options (in that order), and serves QMP.
     *
     * @throws StartupException with a one-line reason when it cannot
     */
    public static VnetdNode start(Config config, DataDirectory data, List<String> netdevOptions,
                                  List<String> deviceOptions) {
        List<QmpEndpoint> endpoints = endpoints(config, data);
        Schema schema = Schema.load(HostConditions.detect());
        CommandLineNetwork commandLine = new CommandLineNetwork(schema);
        List<NetdevConfig> netdevs = parse("-netdev", netdevOptions, commandLine::netdev);
        List<NicRequest> devices = parse("-device", deviceOptions, commandLine::device);
        Duration timeout = config.getDuration("vnetd.startup-timeout");
        ClusterSettings cluster = ClusterSettings.from(config);
        Optional<InetSocketAddress> metricsAddress = MetricsSettings.listen(config);
        if (cluster.clustered()) {
            ClusterStart.checkJournal(cluster, data);
        }
        // Before the actor system: the journal reports its writes from the first one.
        Optional<NodeMetrics> metrics = metricsAddress.map(address -> new NodeMetrics());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME, config);
        DataPlane dataPlane = null;
        ClusterLink link = null;
        try {
            ClusterStart.join(system, cluster, timeout);
            NetEventBus events = NetEventBus.start(system);
            dataPlane = DataPlaneSettings.create(config, events).start();
            if (cluster.clustered()) {
                link = ClusterLink.launch(dataPlane, new ClusterLink.Context()
                        .node(cluster.node()).endpointHost(cluster.host()).endpointPort(cluster.linkPort())
                        .aeronDirectoryName(data.root().resolve("aeron").toString()));
            }
            ControlPlane controlPlane = ControlPlane.start(system, dataPlane, events, Optional.ofNullable(link));
            // What NICs' tap guests ask for becomes their journaled rx-filter.
            dataPlane.observeGuests((nic, filter) -> controlPlane.guestControl(nic, new GuestControl.Mirror(filter)));
            await(controlPlane.serving(), timeout, "recovering the journal");
            if (cluster.clustered()) {
                await(controlPlane.wakeOwnClients(), timeout, "starting this node's netdevs and NICs");
            }
            for (int i = 0; i < netdevs.size(); i++) {
                declare("-netdev " + netdevOptions.get(i), controlPlane.declareNetdev(netdevs.get(i)), timeout);
            }
            for (int i = 0; i < devices.size(); i++) {
                declare("-device " + deviceOptions.get(i), controlPlane.declareDevice(devices.get(i)), timeout);
            }
            QmpServer.Context qmpContext = QmpSettings.context(config)
                    .schema(schema)
                    .networkService(controlPlane)
                    .vnetdVersion(version());
            metrics.ifPresent(m -> qmpContext.commandOutcomes(m.commandOutcomes()));
            endpoints.forEach(qmpContext::endpoint);
            DataPlane ports = dataPlane;
            metrics.ifPresent(m -> m.serve(metricsAddress.get(), controlPlane::index, ports::counters,
                    controlPlane.nodeName(), timeout));
            QmpServer qmp = new QmpServer(qmpContext).start();
            return new VnetdNode(dataPlane, link, system, qmp, metrics);
        } catch (UncheckedIOException e) {
            stop(system, link, dataPlane, metrics);
            throw new StartupException(e.getMessage());
        } catch (RuntimeException e) {
            stop(system, link, dataPlane, metrics);
            throw e;
        }
    }

    private static <T> List<T> parse(String option, List<String> values, Function<String, T> parser) {
        List<T> parsed = new ArrayList<>();
        for (String value : values) {
            try {
                parsed.add(parser.apply(value));
            } catch (NetException e) {
                throw new StartupException(option + " " + value + ": " + e.desc());
            }
        }
        return parsed;
    }

    private static void declare(String option, CompletionStage<Void> declared, Duration timeout) {
        try {
            declared.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new StartupException(option + ": " + (e.getCause() instanceof NetException refused
                    ? refused.desc() : e.getCause().getMessage()));
        } catch (TimeoutException e) {
            throw new StartupException(option + ": not applied within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException(option + ": interrupted");
        }
    }

    private static List<QmpEndpoint> endpoints(Config config, DataDirectory data) {
        List<String> specs = config.getStringList("vnetd.qmp.endpoints");
        if (specs.isEmpty()) {
            return List.of(QmpEndpoint.unix(data.defaultQmpSocket()));
        }
        List<QmpEndpoint> endpoints = new ArrayList<>();
        for (String spec : specs) {
            try {
                endpoints.add(QmpEndpoint.parse(spec));
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
        }
        return endpoints;
    }

    static <T> T await(CompletionStage<T> stage, Duration timeout, String what) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StartupException(what + " took longer than " + timeout + " (vnetd.startup-timeout); see the log");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while " + what);
        } catch (ExecutionException e) {
            throw new StartupException(what + " failed: " + e.getCause().getMessage());
        }
    }

    /** The QMP endpoints as bound (a TCP port 0 shows the port the kernel chose). */
    public List<String> qmpEndpoints() {
        List<String> bound = new ArrayList<>();
        for (SocketAddress address : qmp.boundAddresses()) {
            bound.add("qmp " + switch (address) {
                case InetSocketAddress inet -> QmpEndpoint.tcp(inet.getHostString(), inet.getPort()).toString();
                default -> "unix:" + address;
            });
        }
        return bound;
    }

    /** Where the Prometheus metrics are served, when {@code vnetd.metrics.listen} is set. */
    public Optional<String> metricsUrl() {
        return metrics.flatMap(NodeMetrics::url);
    }

    /** Completes once the actor system's dispatcher has run a task: it still runs the entities. */
    public CompletionStage<Void> responsive() {
        return CompletableFuture.runAsync(() -> {
        }, system.executionContext());
    }

    /**
     * Completes when the actor system has ended without {@link #close()}: the cluster downed this
     * node (the split-brain resolver found it on the minority side, or unreachable too long).
     */
    public CompletionStage<Void> whenRemoved() {
        return system.getWhenTerminated().thenAccept(done -> {
        });
    }

    @Override
    public void close() {
        qmp.close();
        stop(system, link, dataPlane, metrics);
    }

    /** The actor system first: entities stop touching ports before the link and the data plane go. */
    private static void stop(ActorSystem<Void> system, ClusterLink link, DataPlane dataPlane,
                             Optional<NodeMetrics> metrics) {
        metrics.ifPresent(NodeMetrics::close);
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // The data plane is closed regardless; the process is ending.
        }
        if (link != null) {
            link.close();
        }
        if (dataPlane != null) {
            dataPlane.close();
        }
    }
}
