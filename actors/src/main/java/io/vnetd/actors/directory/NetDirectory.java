package io.vnetd.actors.directory;

import io.vnetd.actors.api.ErrorClass;
import io.vnetd.actors.api.NetException;
import io.vnetd.actors.directory.DirectoryCommand.AddNetdev;
import io.vnetd.actors.directory.DirectoryCommand.DelNetdev;
import io.vnetd.actors.directory.DirectoryCommand.Finished;
import io.vnetd.actors.directory.DirectoryCommand.Request;
import io.vnetd.actors.directory.DirectoryCommand.SetLink;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevCommand.Done;
import io.vnetd.actors.netdev.NetdevCommand.Refused;
import io.vnetd.actors.netdev.NetdevCommand.Reply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * The name directory: routes each command to the entities it concerns, checks the rules that span
 * entities, and keeps the index that listings read. Commands on different names run concurrently
 * (the journal's group commit makes that pay); commands sharing a name run in arrival order.
 *
 * <p>At start it asks every entity the journal knows for its state (which also makes each re-realize
 * its port), drops peerings that a crash left one-sided, and only then serves requests.
 */
public final class NetDirectory extends AbstractBehavior<DirectoryCommand> {

    /** How the directory reaches entities and finds them at start. */
    public record Settings(Function<String, RecipientRef<NetdevCommand>> netdevs,
                           EntityCatalog catalog,
                           Duration askTimeout,
                           int stashCapacity) {
    }

    private final Settings settings;
    private final Scheduler scheduler;
    private final Directory directory = new Directory();
    private final Set<String> busy = new HashSet<>();
    private final ArrayDeque<Request> parked = new ArrayDeque<>();

    private NetDirectory(ActorContext<DirectoryCommand> context, Settings settings) {
        super(context);
        this.settings = settings;
        this.scheduler = context.getSystem().scheduler();
    }

    public static Behavior<DirectoryCommand> create(Settings settings) {
        return Behaviors.withStash(settings.stashCapacity(), stash -> Behaviors.setup(context -> {
            context.pipeToSelf(recoverAll(context, settings), (states, failure) -> failure == null
                    ? new DirectoryCommand.Recovered(states)
                    : new DirectoryCommand.RecoveryFailed(String.valueOf(failure.getMessage())));
            return recovering(context, settings, stash);
        }));
    }

    private static CompletionStage<List<Done>> recoverAll(ActorContext<DirectoryCommand> context, Settings settings) {
        Scheduler scheduler = context.getSystem().scheduler();
        return settings.catalog().visitAll(name -> AskPattern.<NetdevCommand, Reply>ask(
                        settings.netdevs().apply(name), NetdevCommand.Get::new, settings.askTimeout(), scheduler)
                .thenApply(reply -> (Done) reply));
    }

    private static Behavior<DirectoryCommand> recovering(ActorContext<DirectoryCommand> context, Settings settings,
                                                         StashBuffer<DirectoryCommand> stash) {
        return Behaviors.receive(DirectoryCommand.class)
                .onMessage(DirectoryCommand.Recovered.class, recovered -> {
                    NetDirectory ready = new NetDirectory(context, settings);
                    recovered.states().forEach(ready.directory::update);
                    List<String> oneSided = ready.directory.oneSidedPeerings();
                    if (!oneSided.isEmpty()) {
                        ready.repair(oneSided, recovered.states());
                        return Behaviors.same();
                    }
                    context.getLog().info("directory ready: {} netdevs recovered", ready.directory.view().clients().size());
                    return stash.unstashAll(ready);
                })
                .onMessage(DirectoryCommand.RecoveryFailed.class, failed -> {
                    throw new IllegalStateException("could not recover the net clients: " + failed.reason());
                })
                .onAnyMessage(message -> {
                    stash.stash(message);
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * Drops peerings that a crash left recorded on one side only, then recovers again from the
     * repaired states, so that the directory serves nothing before the network is consistent.
     */
    private void repair(List<String> oneSided, List<Done> states) {
        oneSided.forEach(name -> getContext().getLog()
                .warn("net client '{}' had a one-sided peering (an interrupted command): dropping it", name));
        List<CompletableFuture<Done>> detached = oneSided.stream()
                .map(name -> ask(name, NetdevCommand.DetachPeer::new).toCompletableFuture())
                .toList();
        CompletionStage<List<Done>> repaired = CompletableFuture.allOf(detached.toArray(CompletableFuture[]::new))
                .thenApply(all -> {
                    Map<String, Done> byName = new LinkedHashMap<>();
                    states.forEach(done -> byName.put(done.name(), done));
                    detached.forEach(done -> byName.put(done.join().name(), done.join()));
                    return List.copyOf(byName.values());
                });
        getContext().pipeToSelf(repaired, (fixed, failure) -> failure == null
                ? new DirectoryCommand.Recovered(fixed)
                : new DirectoryCommand.RecoveryFailed(String.valueOf(failure.getMessage())));
    }

    @Override
    public Receive<DirectoryCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(Request.class, this::onRequest)
                .onMessage(DirectoryCommand.Query.class, query -> {
                    query.replyTo().tell(directory.view());
                    return this;
                })
                .onMessage(Finished.class, this::onFinished)
                .build();
    }

    private Behavior<DirectoryCommand> onRequest(Request request) {
        List<String> names = namesOf(request);
        if (names.stream().anyMatch(busy::contains)) {
            parked.add(request);
            return this;
        }
        CompletionStage<List<Done>> work;
        try {
            work = start(request);
        } catch (NetException e) {
            request.replyTo().tell(Refused.of(e));
            return this;
        }
        busy.addAll(names);
        CompletionStage<Finished> outcome = work
                .thenApply(confirmed -> new Finished(request, names, confirmed, confirmed.getLast()))
                .exceptionallyCompose(failure -> reread(names)
                        .thenApply(states -> new Finished(request, names, states, refusal(failure))));
        getContext().pipeToSelf(outcome, (finished, failure) -> failure == null
                ? finished
                : new Finished(request, names, List.of(), refusal(failure)));
        return this;
    }

    /** The names a request must hold: its own, and a peer it will change. */
    private List<String> namesOf(Request request) {
        return switch (request) {
            case AddNetdev add -> concat(add.config().id(), add.config().configuredPeer());
            case DelNetdev del -> concat(del.id(), directory.netdev(del.id()).flatMap(e -> e.state().peer()));
            case SetLink link -> List.of(link.name());
        };
    }

    private static List<String> concat(String name, Optional<String> other) {
        return other.filter(o -> !o.equals(name)).map(o -> List.of(name, o)).orElse(List.of(name));
    }

    /** Checks the request against the index, then sends it to its entities; throws if refused. */
    private CompletionStage<List<Done>> start(Request request) {
        return switch (request) {
            case AddNetdev add -> add(directory.planAdd(add.config()));
            case DelNetdev del -> {
                Directory.Entry entry = directory.netdev(del.id()).orElseThrow(() -> NetException.deviceNotFound(del.id()));
                yield ask(del.id(), NetdevCommand.Delete::new).thenCompose(deleted -> entry.state().peer()
                        .map(peer -> ask(peer, NetdevCommand.DetachPeer::new).thenApply(detached -> List.of(deleted, detached)))
                        .orElseGet(() -> CompletableFuture.completedFuture(List.of(deleted))));
            }
            case SetLink link -> {
                directory.netdev(link.name()).orElseThrow(() -> NetException.deviceNotFound(link.name()));
                yield ask(link.name(), replyTo -> new NetdevCommand.SetLink(link.up(), replyTo)).thenApply(List::of);
            }
        };
    }

    /**
     * The peer records the peering first: if the daemon dies before the new netdev is journaled, the
     * peer's record is one-sided and dropped at the next start, so the failed command changed nothing.
     */
    private CompletionStage<List<Done>> add(Directory.AddPlan plan) {
        String id = plan.config().id();
        Function<ActorRef<Reply>, NetdevCommand> creating =
                replyTo -> new NetdevCommand.Create(plan.config(), plan.ordinal(), plan.hubOrdinal(), replyTo);
        if (plan.peer().isEmpty()) {
            return ask(id, creating).thenApply(List::of);
        }
        String peer = plan.peer().get();
        return ask(peer, replyTo -> new NetdevCommand.AttachPeer(id, replyTo))
                .thenCompose(attached -> ask(id, creating)
                        .thenApply(created -> List.of(attached, created))
                        .exceptionallyCompose(failure -> ask(peer, NetdevCommand.DetachPeer::new)
                                .thenCompose(detached -> CompletableFuture.failedFuture(failure))));
    }

    /** Asks an entity; a refusal fails the stage with the entity's {@link NetException}. */
    private CompletionStage<Done> ask(String name,
                                      Function<ActorRef<Reply>, NetdevCommand> command) {
        return AskPattern.<NetdevCommand, Reply>ask(settings.netdevs().apply(name), command::apply,
                        settings.askTimeout(), scheduler)
                .thenCompose(reply -> switch (reply) {
                    case Done done -> CompletableFuture.completedFuture(done);
                    case Refused refused -> CompletableFuture.failedFuture(refused.toException());
                });
    }

    private static Refused refusal(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof NetException e
                ? Refused.of(e)
                : new Refused(ErrorClass.GenericError, "vnetd: " + cause.getMessage());
    }

    /**
     * After a failure the entities may still have changed (a timeout after the journal committed):
     * read back what they say, while their names are still held, so the index stays true.
     */
    private CompletionStage<List<Done>> reread(List<String> names) {
        List<CompletableFuture<Optional<Done>>> reads = names.stream()
                .map(name -> ask(name, NetdevCommand.Get::new).thenApply(Optional::of)
                        .exceptionally(failure -> Optional.empty()).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(all -> reads.stream().flatMap(read -> read.join().stream()).toList());
    }

    private Behavior<DirectoryCommand> onFinished(Finished finished) {
        finished.confirmed().forEach(directory::update);
        finished.request().replyTo().tell(finished.answer());
        finished.locked().forEach(busy::remove);
        retryParked();
        return this;
    }

    private void retryParked() {
        int waiting = parked.size();
        for (int i = 0; i < waiting; i++) {
            onRequest(parked.poll());
        }
    }
}
