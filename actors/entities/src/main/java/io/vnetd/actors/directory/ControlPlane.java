package io.vnetd.actors.directory;

import com.typesafe.config.Config;
import io.vnetd.actors.announce.AnnounceCommand;
import io.vnetd.actors.announce.AnnounceTarget;
import io.vnetd.actors.announce.AnnounceTimerEntity;
import io.vnetd.actors.announce.RoundSender;
import io.vnetd.actors.cluster.ClusterMembers;
import io.vnetd.actors.cluster.HubLinkDriver;
import io.vnetd.actors.events.NetEventBus;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.nic.RxFilterInfo;
import io.vnetd.model.port.HubLink;
import io.vnetd.model.port.PortControl;
import io.vnetd.model.service.ClusterMember;
import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetworkService;
import io.vnetd.model.service.NetworkView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The control plane of one node: netdev and NIC entities under Cluster Sharding, the name directory
 * as a cluster singleton, and the event topic. The node must be a cluster member (a single node
 * joins itself), so one code path serves one node and many.
 */
public final class ControlPlane implements NetworkService {

    private static final String DIRECTORY = "net-directory";

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final ActorRef<DirectoryCommand> directory;
    private final LocalRefs<DirectoryCommand> localDirectory;
    private final NodeShards shards;
    private final PortControl ports;
    private final NetEventBus events;
    private final String self;
    private final boolean clustered;
    private final DirectoryRequests inFlight;
    private final Optional<HubLink> link;
    private final Duration askTimeout;
    private final Duration nodeReadTimeout;

    private ControlPlane(ActorSystem<?> system, ClusterSharding sharding, ActorRef<DirectoryCommand> directory,
                         LocalRefs<DirectoryCommand> localDirectory, NodeShards shards, PortControl ports,
                         NetEventBus events, String self, boolean clustered, Optional<HubLink> link,
                         Duration askTimeout, Duration nodeReadTimeout) {
        this.system = system;
        this.sharding = sharding;
        this.directory = directory;
        this.localDirectory = localDirectory;
        this.shards = shards;
        this.ports = ports;
        this.events = events;
        this.self = self;
        this.clustered = clustered;
        this.inFlight = clustered ? DirectoryRequests.start(system) : null;
        this.link = link;
        this.askTimeout = askTimeout;
        this.nodeReadTimeout = nodeReadTimeout;
    }

    /**
     * Starts the entities and the directory on {@code system}, realizing ports through {@code ports}
     * and publishing events on {@code events}; in a cluster, {@code link} (if any) joins the parts of
     * hubs that span nodes.
     */
    public static ControlPlane start(ActorSystem<?> system, PortControl ports, NetEventBus events,
                                     Optional<HubLink> link) {
        Config config = system.settings().config().getConfig("vnetd.actors");
        Duration entityTimeout = config.getDuration("entity-ask-timeout");
        String self = config.getString("node-name");
        boolean clustered = !system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty();

        ClusterSharding sharding = ClusterSharding.get(system);
        // Sharding's own passivation stays off: it counts only what goes through a shard, not what the
        // directory sends an entity directly. Netdevs and NICs leave memory on their own (NodeShards).
        ClusterShardingSettings resident = ClusterShardingSettings.create(system).withNoPassivationStrategy();
        NodeShards shards = new NodeShards(sharding, resident, clustered, config.getDuration("passivate-after"), ports,
                events);
        shards.host(self);
        Placements placements = new Placements(config.getString("founding-node"), clustered);
        NetDirectory.Settings settings = new NetDirectory.Settings(
                shards::netdev,
                shards::nic,
                placements,
                clustered ? node -> ClusterMembers.of(system).reachable(node) : node -> true,
                entity -> sharding.entityRefFor(AnnounceTimerEntity.TYPE_KEY, entity.id())
                        .<EntityReply<AnnounceCommand.Started>>ask(AnnounceCommand.Wake::new, entityTimeout),
                new ReadJournalCatalog(system, config.getString("read-journal-plugin"),
                        Set.of(NetdevEntity.TYPE_KEY.name(), NicEntity.TYPE_KEY.name(), AnnounceTimerEntity.TYPE_KEY.name()),
                        config.getInt("recovery-parallelism")),
                entityTimeout,
                config.getInt("directory-stash-capacity"),
                clustered ? Optional.empty() : Optional.of(ports),
                checkpoints(config));
        LocalRefs<DirectoryCommand> localDirectory = new LocalRefs<>();
        SingletonActor<DirectoryCommand> directorySingleton = SingletonActor.of(
                localDirectory.listed(DIRECTORY, Behaviors.supervise(NetDirectory.create(settings))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2))),
                DIRECTORY);
        // Timers must exist before the directory, which wakes them at start; init returns the same proxy each time.
        Supplier<CompletionStage<List<AnnounceTarget>>> nics = () -> AskPattern.<DirectoryCommand, DirectoryCommand.NicList>ask(
                        ClusterSingleton.get(system).init(directorySingleton), DirectoryCommand.ListNics::new,
                        entityTimeout, system.scheduler())
                .thenApply(DirectoryCommand.NicList::nics);
        sharding.init(Entity.of(AnnounceTimerEntity.TYPE_KEY,
                context -> AnnounceTimerEntity.create(context.getEntityId(),
                        roundSender(system, shards, ports, self, clustered), nics, Clock.systemUTC()))
                .withSettings(resident));
        ActorRef<DirectoryCommand> directory = ClusterSingleton.get(system).init(directorySingleton);
        if (clustered) {
            link.ifPresent(hubLink -> HubLinkDriver.start(system, self, hubLink,
                    () -> AskPattern.ask(directory, DirectoryCommand.QueryHubSpans::new, entityTimeout, system.scheduler())));
        }
        // The directory answers only after every entity it involves has answered, one after another.
        return new ControlPlane(system, sharding, directory, localDirectory, shards, ports, events, self, clustered,
                clustered ? link : Optional.empty(), entityTimeout.multipliedBy(3), config.getDuration("node-read-timeout"));
    }

    /** Where a single node's directory keeps its snapshots, if anywhere. */
    private static Optional<DirectorySnapshots.Checkpoints> checkpoints(Config config) {
        String file = config.getString("directory-snapshot.file");
        return file.isEmpty() ? Optional.empty() : Optional.of(new DirectorySnapshots.Checkpoints(Path.of(file),
                config.getDuration("directory-snapshot.interval")));
    }

    /**
     * Starts this node's netdevs and NICs (a node that returns to a cluster takes back what lives on
     * it) and lets the directory index what each holds now; a single node's directory did so at its start.
     */
    public CompletionStage<Void> wakeOwnClients() {
        return change(replyTo -> new DirectoryCommand.WakeNode(self, replyTo));
    }

    /**
     * An announcement's frame goes out through the data plane of its NIC's node: this one's directly,
     * another's through its port reader, none while that node cannot be reached.
     */
    private static RoundSender roundSender(ActorSystem<?> system, NodeShards shards, PortControl ports, String self,
                                           boolean clustered) {
        return (target, frame) -> {
            if (!clustered || target.node().equals(self)) {
                ports.inject(target.nic(), frame);
            } else if (ClusterMembers.of(system).reachable(target.node())) {
                shards.portReader(target.node()).tell(new PortReader.Inject(target.nic(), frame));
            }
        };
    }

    /** Completes once the directory serves: every net client recovered and its port realized. */
    public CompletionStage<Void> serving() {
        return AskPattern.<DirectoryCommand, DirectoryReply>ask(directory, DirectoryCommand.AwaitServing::new, askTimeout,
                system.scheduler()).thenApply(ok -> null);
    }

    /** This node's name. */
    public String nodeName() {
        return self;
    }

    @Override
    public CompletionStage<Void> netdevAdd(NetdevConfig config, Optional<String> node) {
        if (node.isPresent() && !ClusterMembers.of(system).names().contains(node.get())) {
            return CompletableFuture.failedFuture(NetErrors.unknownNode(node.get()));
        }
        return change(replyTo -> new DirectoryCommand.AddNetdev(config, node, self, false, replyTo));
    }

    @Override
    public CompletionStage<Void> netdevDel(String id) {
        return change(replyTo -> new DirectoryCommand.DelNetdev(id, replyTo));
    }

    @Override
    public CompletionStage<Void> setLink(String name, boolean up) {
        return change(replyTo -> new DirectoryCommand.SetLink(name, up, replyTo));
    }

    @Override
    public CompletionStage<Void> deviceAdd(NicRequest request) {
        return change(replyTo -> new DirectoryCommand.AddNic(request, self, false, replyTo));
    }

    @Override
    public CompletionStage<Void> declareNetdev(NetdevConfig config) {
        return change(replyTo -> new DirectoryCommand.AddNetdev(config, Optional.empty(), self, true, replyTo));
    }

    @Override
    public CompletionStage<Void> declareDevice(NicRequest request) {
        return change(replyTo -> new DirectoryCommand.AddNic(request, self, true, replyTo));
    }

    @Override
    public CompletionStage<Void> deviceDel(String device) {
        return change(replyTo -> new DirectoryCommand.DelNic(device, replyTo));
    }

    @Override
    public CompletionStage<List<RxFilterInfo>> queryRxFilter(Optional<String> name) {
        return request(replyTo -> new DirectoryCommand.QueryRxFilter(name, replyTo))
                .thenApply(reply -> ((DirectoryReply.RxFilters) reply).filters());
    }

    @Override
    public CompletionStage<Void> guestControl(String nic, GuestControl control) {
        return change(replyTo -> new DirectoryCommand.Guest(nic, control, replyTo));
    }

    @Override
    public CompletionStage<Void> announceSelf(AnnounceParameters params) {
        try {
            params.requireNonNegative();
        } catch (NetException e) {
            return CompletableFuture.failedFuture(e);
        }
        return Asks.onReplyThread(sharding.entityRefFor(AnnounceTimerEntity.TYPE_KEY, AnnounceTimerEntity.entityId(params))
                        .<EntityReply<AnnounceCommand.Started>>ask(replyTo -> new AnnounceCommand.Start(params, replyTo),
                                askTimeout))
                .thenApply(reply -> {
                    reply.orThrow();
                    return null;
                });
    }

    /**
     * The directory's index, with what each client's port shows now: a backend's description (a NIC
     * describes itself from its configuration) and its counters, read from the data plane of the
     * client's node. A node that does not answer in time leaves its clients' ports undescribed.
     */
    @Override
    public CompletionStage<NetworkView> queryNetwork() {
        return view()
                .thenCompose(view -> {
                    Map<String, List<NetClientInfo>> byNode = view.clients().stream()
                            .collect(Collectors.groupingBy(NetClientInfo::node));
                    Map<String, CompletableFuture<List<NetClientInfo>>> described = new HashMap<>();
                    byNode.forEach((node, clients) -> described.put(node, describe(node, clients)));
                    return CompletableFuture.allOf(described.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
                        // Each node's clients come back in the order they were asked for, which is the view's.
                        Map<String, Iterator<NetClientInfo>> next = new HashMap<>();
                        described.forEach((node, list) -> next.put(node, list.join().iterator()));
                        return new NetworkView(view.hubs(), view.clients().stream()
                                .map(client -> next.get(client.node()).next()).toList());
                    });
                });
    }

    private CompletableFuture<List<NetClientInfo>> describe(String node, List<NetClientInfo> clients) {
        if (!node.equals(self) && !ClusterMembers.of(system).reachable(node)) {
            return CompletableFuture.completedFuture(clients.stream()
                    .map(client -> client.withStatus(NetErrors.nodeUnreachableStatus(node)))
                    .toList());
        }
        if (node.equals(self)) {
            return CompletableFuture.completedFuture(clients.stream()
                    .map(client -> withPort(client, ports.describe(ref(client)), ports.counters(ref(client))))
                    .toList());
        }
        return AskPattern.<PortReader.Command, PortReader.Views>ask(shards.portReader(node),
                        replyTo -> new PortReader.Read(clients.stream().map(ControlPlane::ref).toList(), replyTo),
                        nodeReadTimeout, system.scheduler())
                .toCompletableFuture()
                .thenApply(views -> IntStream.range(0, clients.size())
                        .mapToObj(i -> withPort(clients.get(i), views.views().get(i).info(), views.views().get(i).counters()))
                        .toList())
                .exceptionally(failure -> clients);
    }

    private static NetClientRef ref(NetClientInfo client) {
        return client.type().equals("nic") ? NetClientRef.nic(client.name()) : NetClientRef.netdev(client.name());
    }

    private static NetClientInfo withPort(NetClientInfo client, String info, Optional<NetClientCounters> counters) {
        return client.withPort(client.type().equals("nic") ? client.info() : info, counters);
    }

    /**
     * The directory's index alone: every net client by name, type, hub and node, without asking any data plane
     * (a metrics scrape reads this node's counters itself).
     */
    public CompletionStage<NetworkView> index() {
        return view();
    }

    @Override
    public CompletionStage<List<ClusterMember>> queryCluster() {
        return view()
                .thenApply(view -> {
                    Map<String, Long> hosted = view.clients().stream()
                            .collect(Collectors.groupingBy(NetClientInfo::node, Collectors.counting()));
                    return ClusterMembers.of(system).nodes().stream()
                            .map(node -> new ClusterMember(node.name(), node.address(), node.status(), node.roles(),
                                    node.reachable(), hosted.getOrDefault(node.name(), 0L).intValue(),
                                    link.map(l -> l.counters().get(node.name()))))
                            .toList();
                });
    }

    @Override
    public void subscribe(Consumer<NetEvent> listener) {
        events.subscribe(listener);
    }

    private CompletionStage<Void> change(Function<ActorRef<DirectoryReply>, DirectoryCommand> command) {
        return request(command).thenApply(reply -> null);
    }

    private CompletionStage<NetworkView> view() {
        Optional<NetException> moving = directoryMoving();
        if (moving.isPresent()) {
            return CompletableFuture.failedFuture(moving.get());
        }
        return AskPattern.ask(directory, DirectoryCommand.Query::new, askTimeout, system.scheduler());
    }

    /**
     * The directory runs on the oldest node. While that node is unreachable, a request sent to it is
     * lost, and the directory only starts elsewhere once the split-brain resolver has removed the
     * node: say so at once instead of leaving the client waiting for the ask's timeout.
     */
    private Optional<NetException> directoryMoving() {
        if (!clustered) {
            return Optional.empty();
        }
        return ClusterMembers.of(system).oldest()
                .filter(oldest -> !oldest.reachable())
                .map(oldest -> NetErrors.directoryMoving(oldest.name()));
    }

    private CompletionStage<DirectoryReply> request(Function<ActorRef<DirectoryReply>, DirectoryCommand> command) {
        Optional<NetException> moving = directoryMoving();
        if (moving.isPresent()) {
            return CompletableFuture.failedFuture(moving.get());
        }
        CompletionStage<DirectoryReply> asked = Asks.<DirectoryCommand, DirectoryReply>ask(
                        localDirectory.find(DIRECTORY, name -> directory), command, askTimeout, system.scheduler())
                .thenCompose(reply -> reply instanceof DirectoryReply.Failed failed
                        ? CompletableFuture.failedFuture(failed.error())
                        : CompletableFuture.completedFuture(reply));
        return clustered ? inFlight.track(asked) : asked;
    }
}
