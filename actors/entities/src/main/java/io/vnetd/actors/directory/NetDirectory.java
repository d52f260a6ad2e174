package io.vnetd.actors.directory;

import io.vnetd.actors.directory.DirectoryCommand.AddNetdev;
import io.vnetd.actors.directory.DirectoryCommand.AddNic;
import io.vnetd.actors.directory.DirectoryCommand.DelNetdev;
import io.vnetd.actors.directory.DirectoryCommand.DelNic;
import io.vnetd.actors.directory.DirectoryCommand.Finished;
import io.vnetd.actors.directory.DirectoryCommand.Guest;
import io.vnetd.actors.directory.DirectoryCommand.QueryRxFilter;
import io.vnetd.actors.directory.DirectoryCommand.Request;
import io.vnetd.actors.directory.DirectoryCommand.SetLink;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.nic.NicState;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * The name directory: routes each command to the entities it concerns, checks the rules that span
 * entities, and keeps the index that listings read. Requests on different clients run concurrently
 * (the journal's group commit makes that pay); requests sharing a client run in arrival order.
 *
 * <p>At start it asks every entity the journal knows for its state (which also makes each re-realize
 * its port), drops peerings that a crash left one-sided, and only then serves requests.
 */
public final class NetDirectory extends AbstractBehavior<DirectoryCommand> {

    /**
     * How the directory reaches entities and finds them at start; {@code wake} starts an entity of
     * another type (an announce timer) so that it resumes its work.
     */
    public record Settings(Function<String, RecipientRef<NetdevCommand>> netdevs,
                           Function<String, RecipientRef<NicCommand>> nics,
                           Function<EntityCatalog.EntityId, CompletionStage<?>> wake,
                           EntityCatalog catalog,
                           Duration askTimeout,
                           int stashCapacity) {
    }

    /**
     * Held by every {@code device_add} and {@code device_del}: they choose names, MACs and device
     * paths from the index, so they run one at a time.
     */
    private static final NetClientRef DEVICES = NetClientRef.nic("");

    private final Settings settings;
    private final Scheduler scheduler;
    private final Directory directory = new Directory();
    private final Set<NetClientRef> busy = new HashSet<>();
    private final ArrayDeque<Request> parked = new ArrayDeque<>();

    private NetDirectory(ActorContext<DirectoryCommand> context, Settings settings) {
        super(context);
        this.settings = settings;
        this.scheduler = context.getSystem().scheduler();
    }

    public static Behavior<DirectoryCommand> create(Settings settings) {
        return Behaviors.withStash(settings.stashCapacity(), stash -> Behaviors.setup(context -> {
            NetDirectory ready = new NetDirectory(context, settings);
            context.pipeToSelf(ready.recoverAll(), (states, failure) -> failure == null
                    ? new DirectoryCommand.Recovered(states)
                    : new DirectoryCommand.RecoveryFailed(String.valueOf(failure.getMessage())));
            return ready.recovering(stash);
        }));
    }

    private CompletionStage<List<Confirmed>> recoverAll() {
        return settings.catalog().<Optional<Confirmed>>visitAll(entity -> {
            if (entity.type().equals(NetdevEntity.TYPE_KEY.name())) {
                return get(NetClientRef.netdev(entity.id())).thenApply(Optional::of);
            }
            if (entity.type().equals(NicEntity.TYPE_KEY.name())) {
                return get(NetClientRef.nic(entity.id())).thenApply(Optional::of);
            }
            return settings.wake().apply(entity).thenApply(woken -> Optional.empty());
        }).thenApply(states -> states.stream().flatMap(Optional::stream).toList());
    }

    private Behavior<DirectoryCommand> recovering(StashBuffer<DirectoryCommand> stash) {
        return Behaviors.receive(DirectoryCommand.class)
                .onMessage(DirectoryCommand.Recovered.class, recovered -> {
                    recovered.states().forEach(directory::update);
                    List<NetClientRef> oneSided = directory.oneSidedPeerings();
                    if (!oneSided.isEmpty()) {
                        repair(oneSided, recovered.states());
                        return Behaviors.same();
                    }
                    getContext().getLog().info("directory ready: {} net clients recovered",
                            directory.view().clients().size());
                    return stash.unstashAll(this);
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
    private void repair(List<NetClientRef> oneSided, List<Confirmed> states) {
        oneSided.forEach(client -> getContext().getLog()
                .warn("{} had a one-sided peering (an interrupted command): dropping it", client));
        List<CompletableFuture<Confirmed>> detached = oneSided.stream()
                .map(client -> peerDeleted(client).toCompletableFuture())
                .toList();
        CompletionStage<List<Confirmed>> repaired = CompletableFuture.allOf(detached.toArray(CompletableFuture[]::new))
                .thenApply(all -> {
                    Map<NetClientRef, Confirmed> byClient = new LinkedHashMap<>();
                    states.forEach(state -> byClient.put(state.client(), state));
                    detached.forEach(state -> byClient.put(state.join().client(), state.join()));
                    return List.copyOf(byClient.values());
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
                .onMessage(DirectoryCommand.ListNics.class, list -> {
                    list.replyTo().tell(new DirectoryCommand.NicList(directory.announceTargets()));
                    return this;
                })
                .onMessage(Finished.class, this::onFinished)
                .build();
    }

    private Behavior<DirectoryCommand> onRequest(Request request) {
        List<NetClientRef> held;
        try {
            held = clientsOf(request);
        } catch (NetException e) {
            request.replyTo().tell(new DirectoryReply.Failed(e));
            return this;
        }
        for (NetClientRef client : held) {
            if (busy.contains(client)) {
                parked.add(request);
                return this;
            }
        }
        CompletionStage<Outcome> work;
        try {
            work = start(request);
        } catch (NetException e) {
            request.replyTo().tell(new DirectoryReply.Failed(e));
            return this;
        }
        busy.addAll(held);
        ActorRef<DirectoryCommand> self = getContext().getSelf();
        work.exceptionallyCompose(failure -> reread(held).thenApply(states -> new Outcome(states, failed(failure))))
                .whenComplete((outcome, failure) -> {
                    Outcome done = failure == null ? outcome : new Outcome(List.of(), failed(failure));
                    // The index update is queued before the answer leaves, so whatever the client
                    // sends next reaches this mailbox after it; the answer need not wait its turn.
                    self.tell(new Finished(held, done.confirmed()));
                    request.replyTo().tell(done.answer());
                });
        return this;
    }

    /** The clients a request holds until it is finished: those it changes or reads. */
    private List<NetClientRef> clientsOf(Request request) {
        List<NetClientRef> clients = new ArrayList<>();
        switch (request) {
            case AddNetdev add -> {
                clients.add(NetClientRef.netdev(add.config().id()));
                add.config().configuredPeer().map(NetClientRef::netdev).ifPresent(clients::add);
            }
            case DelNetdev del -> {
                NetClientRef netdev = NetClientRef.netdev(del.id());
                clients.add(netdev);
                directory.peerOf(netdev).ifPresent(clients::add);
            }
            case SetLink link -> clients.addAll(directory.linkTargets(link.name()));
            case AddNic add -> {
                clients.add(DEVICES);
                add.request().netdev().map(NetClientRef::netdev).ifPresent(clients::add);
            }
            case DelNic del -> {
                clients.add(DEVICES);
                directory.findDevice(del.device()).ifPresent(nic -> {
                    clients.add(NetClientRef.nic(nic.config().name()));
                    nic.peer().map(NetClientRef::netdev).ifPresent(clients::add);
                });
            }
            case QueryRxFilter query -> directory.rxFilterTargets(query.name()).stream()
                    .map(NetClientRef::nic).forEach(clients::add);
            case Guest guest -> clients.add(NetClientRef.nic(guest.nic()));
        }
        List<NetClientRef> distinct = new ArrayList<>(clients.size());
        for (NetClientRef client : clients) {
            if (!distinct.contains(client)) {
                distinct.add(client);
            }
        }
        return distinct;
    }

    /** What a request did: the states its entities confirmed, and the answer. */
    private record Outcome(List<Confirmed> confirmed, DirectoryReply answer) {
        static Outcome ok(List<Confirmed> confirmed) {
            return new Outcome(confirmed, new DirectoryReply.Ok());
        }
    }

    /** Checks the request against the index, then sends it to its entities; throws if refused. */
    private CompletionStage<Outcome> start(Request request) {
        return switch (request) {
            case AddNetdev add when add.declared() && directory.alreadyDeclared(add.config()) ->
                    CompletableFuture.completedFuture(Outcome.ok(List.of()));
            case AddNic add when add.declared() && directory.alreadyDeclared(add.request()) ->
                    CompletableFuture.completedFuture(Outcome.ok(List.of()));
            case AddNetdev add -> {
                Directory.NetdevPlan plan = directory.planNetdev(add.config());
                NetClientRef created = NetClientRef.netdev(plan.config().id());
                yield attachThenCreate(plan.peer().map(NetClientRef::netdev), created,
                        netdev(created.name(), replyTo -> new NetdevCommand.Create(plan.config(), plan.ordinal(),
                                plan.hubOrdinal(), replyTo)));
            }
            case DelNetdev del -> {
                Directory.NetdevEntry entry = directory.netdev(del.id())
                        .orElseThrow(() -> NetErrors.deviceNotFound(del.id()));
                yield deleteThenRelease(netdev(del.id(), NetdevCommand.Delete::new), entry.state().peer());
            }
            case SetLink link -> all(directory.linkTargets(link.name()).stream()
                    .map(client -> switch (client.kind()) {
                        case NETDEV -> netdev(client.name(), replyTo -> new NetdevCommand.SetLink(link.up(), replyTo));
                        case NIC -> nic(client.name(), replyTo -> new NicCommand.SetLink(link.up(), replyTo));
                    })
                    .toList()).thenApply(Outcome::ok);
            case AddNic add -> {
                Directory.NicPlan plan = directory.planNic(add.request());
                NetClientRef created = NetClientRef.nic(plan.config().name());
                yield attachThenCreate(plan.config().netdev().map(NetClientRef::netdev), created,
                        nic(created.name(), replyTo -> new NicCommand.Create(plan.config(), plan.ordinal(), replyTo)));
            }
            case DelNic del -> {
                NicState.Present nic = directory.findDevice(del.device())
                        .orElseThrow(() -> NetErrors.deviceNotFound(del.device()));
                yield deleteThenRelease(nic(nic.config().name(), NicCommand.Delete::new),
                        nic.peer().map(NetClientRef::netdev));
            }
            case QueryRxFilter query -> all(directory.rxFilterTargets(query.name()).stream()
                    .map(name -> nic(name, NicCommand.QueryRxFilter::new))
                    .toList())
                    .thenApply(confirmed -> new Outcome(confirmed, new DirectoryReply.RxFilters(confirmed.stream()
                            .map(state -> Directory.rxFilterInfo((NicState.Present) ((Confirmed.OfNic) state).done().state()))
                            .toList())));
            case Guest guest -> {
                directory.nic(guest.nic()).orElseThrow(() -> NetErrors.deviceNotFound(guest.nic()));
                yield nic(guest.nic(), replyTo -> new NicCommand.Guest(guest.control(), replyTo))
                        .thenApply(c -> Outcome.ok(List.of(c)));
            }
        };
    }

    /**
     * The peer records the peering first: if the daemon dies before the new client is journaled,
     * the peer's record is one-sided and dropped at the next start, so the failed command changed
     * nothing. A refused create detaches the peer again.
     */
    private CompletionStage<Outcome> attachThenCreate(Optional<NetClientRef> peer, NetClientRef created,
                                                      CompletionStage<Confirmed> create) {
        if (peer.isEmpty()) {
            return create.thenApply(c -> Outcome.ok(List.of(c)));
        }
        return netdev(peer.get().name(), replyTo -> new NetdevCommand.AttachPeer(created, replyTo))
                .thenCompose(attached -> create.thenApply(c -> Outcome.ok(List.of(attached, c)))
                        .exceptionallyCompose(failure -> peerDeleted(peer.get())
                                .thenCompose(detached -> CompletableFuture.failedFuture(failure))));
    }

    /**
     * The deleted client is journaled first and its peer after: a crash in between leaves the peer's
     * record one-sided, and the repair at the next start completes the command.
     */
    private CompletionStage<Outcome> deleteThenRelease(CompletionStage<Confirmed> delete, Optional<NetClientRef> peer) {
        return delete.thenCompose(deleted -> peer
                .map(p -> peerDeleted(p).thenApply(released -> Outcome.ok(List.of(deleted, released))))
                .orElseGet(() -> CompletableFuture.completedFuture(Outcome.ok(List.of(deleted)))));
    }

    /** Tells a client its peer is gone: a netdev forgets it; a NIC also loses its link, as in QEMU. */
    private CompletionStage<Confirmed> peerDeleted(NetClientRef client) {
        return switch (client.kind()) {
            case NETDEV -> netdev(client.name(), NetdevCommand.DetachPeer::new);
            case NIC -> nic(client.name(), NicCommand.PeerDeleted::new);
        };
    }

    private CompletionStage<Confirmed> get(NetClientRef client) {
        return switch (client.kind()) {
            case NETDEV -> netdev(client.name(), NetdevCommand.Get::new);
            case NIC -> nic(client.name(), NicCommand.Get::new);
        };
    }

    private static CompletionStage<List<Confirmed>> all(List<CompletionStage<Confirmed>> stages) {
        List<CompletableFuture<Confirmed>> futures = stages.stream().map(CompletionStage::toCompletableFuture).toList();
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }

    /** Asks a netdev entity; a refusal fails the stage with the entity's {@link NetException}. */
    private CompletionStage<Confirmed> netdev(String name,
                                              Function<ActorRef<EntityReply<NetdevCommand.Done>>, NetdevCommand> command) {
        return Asks.<NetdevCommand, EntityReply<NetdevCommand.Done>>ask(settings.netdevs().apply(name), command,
                        settings.askTimeout(), scheduler)
                .thenApply(reply -> new Confirmed.OfNetdev(reply.orThrow()));
    }

    private CompletionStage<Confirmed> nic(String name, Function<ActorRef<EntityReply<NicCommand.Done>>, NicCommand> command) {
        return Asks.<NicCommand, EntityReply<NicCommand.Done>>ask(settings.nics().apply(name), command,
                        settings.askTimeout(), scheduler)
                .thenApply(reply -> new Confirmed.OfNic(reply.orThrow()));
    }

    private static DirectoryReply.Failed failed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return new DirectoryReply.Failed(cause instanceof NetException e ? e : NetErrors.failed(cause));
    }

    /**
     * After a failure the entities may still have changed (a timeout after the journal committed):
     * read back what they say, while they are still held, so the index stays true.
     */
    private CompletionStage<List<Confirmed>> reread(List<NetClientRef> held) {
        List<CompletableFuture<Optional<Confirmed>>> reads = held.stream()
                .filter(client -> !client.equals(DEVICES))
                .map(client -> get(client).thenApply(Optional::of)
                        .exceptionally(failure -> Optional.empty()).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(all -> reads.stream().flatMap(read -> read.join().stream()).toList());
    }

    private Behavior<DirectoryCommand> onFinished(Finished finished) {
        finished.confirmed().forEach(directory::update);
        finished.held().forEach(busy::remove);
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
