package io.vnetd.actors.directory;

import com.typesafe.config.Config;
import io.vnetd.actors.api.NetEvent;
import io.vnetd.actors.api.NetworkService;
import io.vnetd.actors.api.NetworkView;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevCommand.Done;
import io.vnetd.actors.netdev.NetdevCommand.Refused;
import io.vnetd.actors.netdev.NetdevCommand.Reply;
import io.vnetd.actors.netdev.NetdevConfig;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.port.PortControl;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The control plane of one node: netdev entities under Cluster Sharding, the name directory as a
 * cluster singleton, and the event topic. The node must be a cluster member (a single node joins
 * itself), so one code path serves one node and many.
 */
public final class ControlPlane implements NetworkService {

    private final ActorSystem<?> system;
    private final ActorRef<DirectoryCommand> directory;
    private final ActorRef<Topic.Command<NetEvent>> events;
    private final Duration askTimeout;

    private ControlPlane(ActorSystem<?> system, ActorRef<DirectoryCommand> directory,
                         ActorRef<Topic.Command<NetEvent>> events, Duration askTimeout) {
        this.system = system;
        this.directory = directory;
        this.events = events;
        this.askTimeout = askTimeout;
    }

    /** Starts the entities and the directory on {@code system}, realizing ports through {@code ports}. */
    public static ControlPlane start(ActorSystem<?> system, PortControl ports) {
        Config config = system.settings().config().getConfig("vnetd.actors");
        Duration entityTimeout = config.getDuration("entity-ask-timeout");
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(NetdevEntity.TYPE_KEY, context -> NetdevEntity.create(context.getEntityId(), ports)));

        NetDirectory.Settings settings = new NetDirectory.Settings(
                name -> sharding.entityRefFor(NetdevEntity.TYPE_KEY, name),
                new ReadJournalCatalog(system, config.getString("read-journal-plugin"),
                        NetdevEntity.TYPE_KEY.name(), config.getInt("recovery-parallelism")),
                entityTimeout,
                config.getInt("directory-stash-capacity"));
        ActorRef<DirectoryCommand> directory = ClusterSingleton.get(system).init(SingletonActor.of(
                Behaviors.supervise(NetDirectory.create(settings))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2)),
                "net-directory"));
        ActorRef<Topic.Command<NetEvent>> events = system.systemActorOf(
                Topic.create(NetEvent.class, "vnetd-events"), "vnetd-events", Props.empty());
        // The directory answers only after every entity it routes to has answered.
        return new ControlPlane(system, directory, events, entityTimeout.multipliedBy(3));
    }

    @Override
    public CompletionStage<Void> netdevAdd(NetdevConfig config) {
        return request(replyTo -> new DirectoryCommand.AddNetdev(config, replyTo));
    }

    @Override
    public CompletionStage<Void> netdevDel(String id) {
        return request(replyTo -> new DirectoryCommand.DelNetdev(id, replyTo));
    }

    @Override
    public CompletionStage<Void> setLink(String name, boolean up) {
        return request(replyTo -> new DirectoryCommand.SetLink(name, up, replyTo));
    }

    @Override
    public CompletionStage<NetworkView> queryNetwork() {
        return AskPattern.ask(directory, DirectoryCommand.Query::new, askTimeout, system.scheduler());
    }

    @Override
    public void subscribe(Consumer<NetEvent> listener) {
        system.systemActorOf(Behaviors.<NetEvent>setup(context -> {
            events.tell(Topic.subscribe(context.getSelf()));
            return Behaviors.receiveMessage(event -> {
                listener.accept(event);
                return Behaviors.same();
            });
        }), "event-listener-" + System.identityHashCode(listener), Props.empty());
    }

    /** Publishes an event to every subscriber on every node. */
    public void publish(NetEvent event) {
        events.tell(Topic.publish(event));
    }

    private CompletionStage<Void> request(Function<ActorRef<Reply>, DirectoryCommand> command) {
        return AskPattern.<DirectoryCommand, Reply>ask(directory, command::apply, askTimeout, system.scheduler())
                .thenCompose(reply -> switch (reply) {
                    case Done done -> CompletableFuture.<Void>completedFuture(null);
                    case Refused refused -> CompletableFuture.<Void>failedFuture(refused.toException());
                });
    }
}
