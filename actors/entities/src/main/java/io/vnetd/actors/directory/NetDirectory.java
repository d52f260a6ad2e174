package io.vnetd.actors.directory;

import io.vnetd.actors.cluster.HubSpans;
import io.vnetd.actors.cluster.NodeName;
import io.vnetd.actors.cluster.PlacedId;
import io.vnetd.actors.directory.DirectoryCommand.Finished;
import io.vnetd.actors.directory.DirectoryCommand.Request;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.port.PortControl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The name directory: routes each request to the entities it concerns, after the rules that span
 * entities, and keeps the index that listings read. Its parts: {@link DirectoryRecovery} (the
 * start), {@link RequestLocks} (which requests may run now), {@link RequestPlanner} (the rules, as
 * pure functions of a request and the {@link NetIndex}), {@link EntityWork} (carrying a plan out)
 * and {@link Projections} (what readers see).
 *
 * <p>A request's answer leaves from the thread that completes its entity work, right after the
 * index update is queued: whatever the client sends next reaches this mailbox after the update.
 */
public final class NetDirectory extends AbstractBehavior<DirectoryCommand> {

    /**
     * How the directory reaches entities and finds them at start; {@code wake} starts an entity of
     * another type (an announce timer) so that it resumes its work. {@code localPorts} is the data plane
     * on a single node, which the directory shares with every entity: it then reads every state from the
     * journal in one pass at start and realizes the ports itself, and an entity starts only when a
     * request needs it. In a cluster (empty) it starts every entity, which realizes its port on its node.
     * {@code checkpoints}, on a single node, is where the directory keeps snapshots of what it read, so that
     * the next start reads only the events written since ({@link DirectorySnapshots}).
     */
    public record Settings(Function<Placements.Placement, RecipientRef<NetdevCommand>> netdevs,
                           Function<Placements.Placement, RecipientRef<NicCommand>> nics,
                           Placements placements,
                           Predicate<String> reachable,
                           Function<EntityCatalog.EntityId, CompletionStage<?>> wake,
                           EntityCatalog catalog,
                           Duration askTimeout,
                           int stashCapacity,
                           Optional<PortControl> localPorts,
                           Optional<DirectorySnapshots.Checkpoints> checkpoints) {
    }

    private final NetIndex index;
    private final EntityWork work;
    private final DirectorySnapshots snapshots;
    private final RequestLocks locks = new RequestLocks();
    /** Where the hub spans go, in a cluster; and what was published last. */
    private final ActorRef<Topic.Command<HubSpans>> spansTopic;
    private HubSpans published = new HubSpans(Map.of());

    NetDirectory(ActorContext<DirectoryCommand> context, NetIndex index, EntityWork work, DirectorySnapshots snapshots) {
        super(context);
        this.index = index;
        this.work = work;
        this.snapshots = snapshots;
        this.spansTopic = work.placements().clustered()
                ? context.spawn(Topic.create(HubSpans.class, HubSpans.TOPIC), "hub-spans") : null;
        if (work.placements().clustered()) {
            // The clients that may move and ran on a node the cluster removed start elsewhere.
            ActorRef<DirectoryReply> nobody = context.getSystem().ignoreRef();
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
                    context.messageAdapter(ClusterEvent.MemberRemoved.class, removed -> new DirectoryCommand.WakeMoved(
                            NodeName.of(removed.member()).orElse(""), nobody)),
                    ClusterEvent.MemberRemoved.class));
        }
        publishSpans();
    }

    /** The directory, serving once it has recovered every entity. */
    public static Behavior<DirectoryCommand> create(Settings settings) {
        return DirectoryRecovery.start(settings);
    }

    @Override
    public Receive<DirectoryCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(Request.class, this::onRequest)
                .onMessage(DirectoryCommand.Query.class, query -> {
                    work.withCurrentStatus(Projections.view(index, work.placements()))
                            .thenAccept(view -> query.replyTo().tell(view));
                    return this;
                })
                .onMessage(DirectoryCommand.AwaitServing.class, await -> {
                    await.replyTo().tell(new DirectoryReply.Ok());
                    return this;
                })
                .onMessage(DirectoryCommand.ListNics.class, list -> {
                    list.replyTo().tell(new DirectoryCommand.NicList(Projections.announceTargets(index, work.placements())));
                    return this;
                })
                .onMessage(DirectoryCommand.QueryHubSpans.class, query -> {
                    query.replyTo().tell(Projections.hubSpans(index, work.placements()));
                    return this;
                })
                .onMessage(Finished.class, this::onFinished)
                .build();
    }

    private Behavior<DirectoryCommand> onRequest(Request request) {
        if (request instanceof DirectoryCommand.WakeMoved) {
            work.wakeTimers();
        }
        List<Lock> needed;
        Plan plan;
        try {
            needed = RequestLocks.of(request, index, work.placements());
            if (!locks.free(needed)) {
                locks.park(request);
                return this;
            }
            plan = RequestPlanner.plan(request, index, work.placements());
        } catch (NetException e) {
            request.replyTo().tell(new DirectoryReply.Failed(e));
            return this;
        }
        Optional<NetException> unreachable = unreachable(needed, plan);
        if (unreachable.isPresent()) {
            request.replyTo().tell(new DirectoryReply.Failed(unreachable.get()));
            return this;
        }
        index.reserve(plan);
        work.place(plan);
        locks.take(needed);
        ActorRef<DirectoryCommand> self = getContext().getSelf();
        work.run(plan)
                .exceptionallyCompose(failure -> work.reread(needed)
                        .thenApply(states -> EntityWork.Outcome.failed(failure, states)))
                .whenComplete((outcome, failure) -> {
                    EntityWork.Outcome done = failure == null ? outcome : EntityWork.Outcome.failed(failure, List.of());
                    // The index update is queued before the answer leaves, so whatever the client
                    // sends next reaches this mailbox after it; the answer need not wait its turn.
                    self.tell(new Finished(needed, done.confirmed()));
                    request.replyTo().tell(done.answer());
                });
        return this;
    }

    /** Publishes the hubs' spans when they changed, for the nodes' data-plane links. */
    private void publishSpans() {
        if (spansTopic == null) {
            return;
        }
        HubSpans spans = Projections.hubSpans(index, work.placements());
        if (!spans.equals(published)) {
            spansTopic.tell(Topic.publish(spans));
            published = spans;
        }
    }

    /**
     * A request that involves a client on a node this one cannot reach (or creates one there) is
     * refused at once: its entity would not answer, and the user should know why.
     */
    private Optional<NetException> unreachable(List<Lock> needed, Plan plan) {
        if (plan instanceof Plan.Wake) {
            return Optional.empty();
        }
        Predicate<String> reachable = work.reachable();
        for (Lock lock : needed) {
            if (lock instanceof Lock.Client(var client)) {
                String node = work.placements().of(client).node();
                if (PlacedId.movable(node)) {
                    Optional<String> last = work.placements().where(client);
                    if (last.isPresent() && !reachable.test(last.get())) {
                        return Optional.of(NetErrors.clientMoving(client.name(), last.get()));
                    }
                } else if (!reachable.test(node)) {
                    return Optional.of(NetErrors.nodeUnreachable(client.name(), node));
                }
            }
        }
        String created = switch (plan) {
            case Plan.CreateNetdev create -> create.node();
            case Plan.CreateNic create -> create.node();
            default -> null;
        };
        if (created != null && !PlacedId.movable(created) && !reachable.test(created)) {
            return Optional.of(NetErrors.nodeUnreachable(plan instanceof Plan.CreateNetdev c ? c.config().id()
                    : ((Plan.CreateNic) plan).config().name(), created));
        }
        return Optional.empty();
    }

    private Behavior<DirectoryCommand> onFinished(Finished finished) {
        if (!finished.confirmed().isEmpty()) {
            snapshots.changed(finished.confirmed());
        }
        finished.confirmed().forEach(confirmed -> {
            index.update(confirmed);
            work.placements().located(confirmed.client(), confirmed.node());
        });
        publishSpans();
        locks.release(finished.held()).forEach(this::onRequest);
        return this;
    }
}
