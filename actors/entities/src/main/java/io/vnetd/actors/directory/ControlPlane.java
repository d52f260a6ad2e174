package io.vnetd.actors.directory;

import com.typesafe.config.Config;
import io.vnetd.actors.announce.AnnounceCommand;
import io.vnetd.actors.announce.AnnounceTarget;
import io.vnetd.actors.announce.AnnounceTimerEntity;
import io.vnetd.actors.events.NetEventBus;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.nic.RxFilterInfo;
import io.vnetd.model.port.PortControl;
import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetworkService;
import io.vnetd.model.service.NetworkView;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
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
    private final Function<String, RecipientRef<NetdevCommand>> netdevs;
    private final PortControl ports;
    private final NetEventBus events;
    private final Duration askTimeout;

    private ControlPlane(ActorSystem<?> system, ClusterSharding sharding, ActorRef<DirectoryCommand> directory,
                         LocalRefs<DirectoryCommand> localDirectory, Function<String, RecipientRef<NetdevCommand>> netdevs,
                         PortControl ports, NetEventBus events, Duration askTimeout) {
        this.system = system;
        this.sharding = sharding;
        this.netdevs = netdevs;
        this.directory = directory;
        this.localDirectory = localDirectory;
        this.ports = ports;
        this.events = events;
        this.askTimeout = askTimeout;
    }

    /**
     * Starts the entities and the directory on {@code system}, realizing ports through {@code ports}
     * and publishing events on {@code events}.
     */
    public static ControlPlane start(ActorSystem<?> system, PortControl ports, NetEventBus events) {
        Config config = system.settings().config().getConfig("vnetd.actors");
        Duration entityTimeout = config.getDuration("entity-ask-timeout");

        ClusterSharding sharding = ClusterSharding.get(system);
        // Entities hold ports, retry timers and announcement schedules: they live as long as the node.
        ClusterShardingSettings resident = ClusterShardingSettings.create(system).withNoPassivationStrategy();
        LocalRefs<NetdevCommand> localNetdevs = new LocalRefs<>();
        LocalRefs<NicCommand> localNics = new LocalRefs<>();
        sharding.init(Entity.of(NetdevEntity.TYPE_KEY, context -> localNetdevs.listed(context.getEntityId(),
                        NetdevEntity.create(context.getEntityId(), ports)))
                .withSettings(resident));
        sharding.init(Entity.of(NicEntity.TYPE_KEY, context -> localNics.listed(context.getEntityId(),
                        NicEntity.create(context.getEntityId(), ports, events)))
                .withSettings(resident));

        Function<String, RecipientRef<NetdevCommand>> netdevs =
                name -> localNetdevs.find(name, id -> sharding.entityRefFor(NetdevEntity.TYPE_KEY, id));
        NetDirectory.Settings settings = new NetDirectory.Settings(
                netdevs,
                name -> localNics.find(name, id -> sharding.entityRefFor(NicEntity.TYPE_KEY, id)),
                entity -> sharding.entityRefFor(AnnounceTimerEntity.TYPE_KEY, entity.id())
                        .<EntityReply<AnnounceCommand.Started>>ask(AnnounceCommand.Wake::new, entityTimeout),
                new ReadJournalCatalog(system, config.getString("read-journal-plugin"),
                        Set.of(NetdevEntity.TYPE_KEY.name(), NicEntity.TYPE_KEY.name(), AnnounceTimerEntity.TYPE_KEY.name()),
                        config.getInt("recovery-parallelism")),
                entityTimeout,
                config.getInt("directory-stash-capacity"));
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
                context -> AnnounceTimerEntity.create(context.getEntityId(), ports, nics, Clock.systemUTC()))
                .withSettings(resident));
        ActorRef<DirectoryCommand> directory = ClusterSingleton.get(system).init(directorySingleton);
        // The directory answers only after every entity it involves has answered, one after another.
        return new ControlPlane(system, sharding, directory, localDirectory, netdevs, ports, events,
                entityTimeout.multipliedBy(3));
    }

    @Override
    public CompletionStage<Void> netdevAdd(NetdevConfig config) {
        return change(replyTo -> new DirectoryCommand.AddNetdev(config, false, replyTo));
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
        return change(replyTo -> new DirectoryCommand.AddNic(request, false, replyTo));
    }

    @Override
    public CompletionStage<Void> declareNetdev(NetdevConfig config) {
        return change(replyTo -> new DirectoryCommand.AddNetdev(config, true, replyTo));
    }

    @Override
    public CompletionStage<Void> declareDevice(NicRequest request) {
        return change(replyTo -> new DirectoryCommand.AddNic(request, true, replyTo));
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
     * describes itself from its configuration) and the counters. A netdev the directory knows without
     * its resource is asked for its status: its entity retries with back-off and may hold it again.
     */
    @Override
    public CompletionStage<NetworkView> queryNetwork() {
        return AskPattern.<DirectoryCommand, NetworkView>ask(directory, DirectoryCommand.Query::new, askTimeout,
                        system.scheduler())
                .thenCompose(view -> {
                    List<CompletableFuture<NetClientInfo>> clients = view.clients().stream()
                            .map(client -> currentStatus(client).thenApply(this::withPort)).toList();
                    return CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).thenApply(done ->
                            new NetworkView(view.hubs(), clients.stream().map(CompletableFuture::join).toList()));
                });
    }

    private CompletableFuture<NetClientInfo> currentStatus(NetClientInfo client) {
        if (client.type().equals("nic") || client.status().equals(NetClientInfo.OK)) {
            return CompletableFuture.completedFuture(client);
        }
        return Asks.<NetdevCommand, EntityReply<NetdevCommand.Done>>ask(netdevs.apply(client.name()), NetdevCommand.Get::new,
                        askTimeout, system.scheduler())
                .thenApply(reply -> reply instanceof NetdevCommand.Done done ? client.withStatus(done.status()) : client);
    }

    private NetClientInfo withPort(NetClientInfo client) {
        boolean nic = client.type().equals("nic");
        NetClientRef ref = nic ? NetClientRef.nic(client.name()) : NetClientRef.netdev(client.name());
        return client.withPort(nic ? client.info() : ports.describe(ref), ports.counters(ref));
    }

    @Override
    public void subscribe(Consumer<NetEvent> listener) {
        events.subscribe(listener);
    }

    private CompletionStage<Void> change(Function<ActorRef<DirectoryReply>, DirectoryCommand> command) {
        return request(command).thenApply(reply -> null);
    }

    private CompletionStage<DirectoryReply> request(Function<ActorRef<DirectoryReply>, DirectoryCommand> command) {
        return Asks.<DirectoryCommand, DirectoryReply>ask(localDirectory.find(DIRECTORY, name -> directory), command,
                        askTimeout, system.scheduler())
                .thenCompose(reply -> reply instanceof DirectoryReply.Failed failed
                        ? CompletableFuture.failedFuture(failed.error())
                        : CompletableFuture.completedFuture(reply));
    }
}
