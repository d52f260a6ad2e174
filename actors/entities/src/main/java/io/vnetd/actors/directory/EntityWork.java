package io.vnetd.actors.directory;

import io.vnetd.actors.announce.AnnounceTimerEntity;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicState;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.service.NetworkView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * The directory's work on the entities: carries out a {@link Plan} in the order that keeps peerings
 * safe across a crash, and reads entities' states. A stage completes on the thread that delivers the
 * last entity's answer ({@link Asks}); a refusal fails it with the entity's {@link NetException}.
 */
final class EntityWork {

    /** What a request did: the states its entities confirmed, and the answer. */
    record Outcome(List<Confirmed> confirmed, DirectoryReply answer) {
        static Outcome ok(List<Confirmed> confirmed) {
            return new Outcome(confirmed, new DirectoryReply.Ok());
        }

        /** A failed request: its error, and what its entities say after it. */
        static Outcome failed(Throwable failure, List<Confirmed> confirmed) {
            Throwable cause = cause(failure);
            return new Outcome(confirmed,
                    new DirectoryReply.Failed(cause instanceof NetException e ? e : NetErrors.failed(cause)));
        }
    }

    private final NetDirectory.Settings settings;
    private final Scheduler scheduler;

    EntityWork(NetDirectory.Settings settings, Scheduler scheduler) {
        this.settings = settings;
        this.scheduler = scheduler;
    }

    Placements placements() {
        return settings.placements();
    }

    /**
     * Wakes every announce timer the journal knows: at a single node's start (nothing else starts them),
     * and when a node is removed, so that one that ran there starts on another and goes on with its
     * rounds (remembered entities may do it too; waking twice is harmless). Completes once all answered.
     */
    CompletionStage<List<Boolean>> wakeTimers() {
        return settings.catalog().visitAll(entity -> entity.type().equals(AnnounceTimerEntity.TYPE_KEY.name())
                ? settings.wake().apply(entity).thenApply(woken -> true)
                : CompletableFuture.completedFuture(false));
    }

    /** Whether a node can be reached now. */
    Predicate<String> reachable() {
        return settings.reachable();
    }

    /** Places the client a creation plan creates, so that its work reaches it on its node. */
    void place(Plan plan) {
        switch (plan) {
            case Plan.CreateNetdev create -> placements().place(NetClientRef.netdev(create.config().id()), create.node());
            case Plan.CreateNic create -> placements().place(NetClientRef.nic(create.config().name()), create.node());
            default -> {
            }
        }
    }

    CompletionStage<Outcome> run(Plan plan) {
        return switch (plan) {
            case Plan.InPlace inPlace -> CompletableFuture.completedFuture(Outcome.ok(List.of()));
            case Plan.CreateNetdev create -> attachThenCreate(create.peer(), NetClientRef.netdev(create.config().id()),
                    () -> netdev(create.config().id(), replyTo -> new NetdevCommand.Create(create.config(),
                            create.ordinal(), create.hubOrdinal(), replyTo)));
            case Plan.DeleteNetdev delete -> deleteThenRelease(netdev(delete.id(), NetdevCommand.Delete::new),
                    delete.peer());
            case Plan.SetLink link -> finish(link.unfinished())
                    .thenCompose(finished -> setLink(link)
                            .thenApply(set -> Outcome.ok(concat(finished, set))));
            case Plan.CreateNic create -> attachThenCreate(create.config().netdev(),
                    NetClientRef.nic(create.config().name()),
                    () -> nic(create.config().name(), replyTo -> new NicCommand.Create(create.config(),
                            create.ordinal(), replyTo)));
            case Plan.DeleteNic delete -> finish(delete.unfinished())
                    .thenCompose(finished -> deleteThenRelease(nic(delete.nic(), NicCommand.Delete::new),
                            delete.netdev().map(NetClientRef::netdev))
                            .thenApply(deleted -> Outcome.ok(concat(finished, deleted.confirmed()))));
            case Plan.QueryRxFilter query -> all(query.nics().stream()
                    .map(name -> nic(name, NicCommand.QueryRxFilter::new))
                    .toList())
                    .thenApply(confirmed -> new Outcome(confirmed, new DirectoryReply.RxFilters(confirmed.stream()
                            .map(state -> Projections.rxFilterInfo(
                                    (NicState.Present) ((Confirmed.OfNic) state).done().state()))
                            .toList())));
            case Plan.Wake wake -> all(wake.clients().stream().map(this::get).toList())
                    .thenCompose(states -> finish(unfinishedAmong(states, wake.clients()))
                            .thenApply(finished -> Outcome.ok(concat(states, finished))));
            case Plan.Guest guest -> nic(guest.nic(), replyTo -> new NicCommand.Guest(guest.control(), replyTo))
                    .thenApply(confirmed -> Outcome.ok(List.of(confirmed)));
        };
    }

    /**
     * The peer (always a netdev) records the peering first, and the new client is created once it
     * has: if the daemon dies in between, the peer's record is one-sided and dropped at the next
     * start, so the failed command changed nothing. A refused create detaches the peer again.
     */
    private CompletionStage<Outcome> attachThenCreate(Optional<String> peer, NetClientRef created,
                                                      Supplier<CompletionStage<Confirmed>> create) {
        if (peer.isEmpty()) {
            return create.get().thenApply(c -> Outcome.ok(List.of(c)));
        }
        NetClientRef netdev = NetClientRef.netdev(peer.get());
        return netdev(peer.get(), replyTo -> new NetdevCommand.AttachPeer(created, replyTo))
                .thenCompose(attached -> create.get().thenApply(c -> Outcome.ok(List.of(attached, c)))
                        .exceptionallyCompose(failure -> peerDeleted(netdev)
                                .thenCompose(detached -> CompletableFuture.failedFuture(failure))));
    }

    /** See {@link Plan.SetLink} for the order of the writes. */
    private CompletionStage<List<Confirmed>> setLink(Plan.SetLink link) {
        if (link.netdev().isEmpty()) {
            return all(link.nics().stream().map(nic -> setLink(NetClientRef.nic(nic), link.up())).toList());
        }
        String netdev = link.netdev().get();
        List<NetClientRef> nics = link.nics().stream().map(NetClientRef::nic).toList();
        CompletionStage<Confirmed> own = netdev(netdev, replyTo -> new NetdevCommand.SetLink(link.up(), nics, replyTo));
        return nics.isEmpty() ? own.thenApply(List::of)
                : own.thenCompose(recorded -> finish(new Plan.LinkChange(netdev, link.up(), nics)));
    }

    private CompletionStage<Confirmed> setLink(NetClientRef client, boolean up) {
        return switch (client.kind()) {
            case NETDEV -> netdev(client.name(), replyTo -> new NetdevCommand.SetLink(up, List.of(), replyTo));
            case NIC -> nic(client.name(), replyTo -> new NicCommand.SetLink(up, replyTo));
        };
    }

    /**
     * Completes journaled link changes, one after the other (two may name one client): the clients each
     * names get the link, then its netdev records that they have it. A client deleted since needs no link.
     */
    private CompletionStage<List<Confirmed>> finish(List<Plan.LinkChange> changes) {
        CompletionStage<List<Confirmed>> finished = CompletableFuture.completedFuture(List.of());
        for (Plan.LinkChange change : changes) {
            finished = finished.thenCompose(before -> finish(change)
                    .thenApply(after -> concat(before, after)));
        }
        return finished;
    }

    private CompletionStage<List<Confirmed>> finish(Plan.LinkChange change) {
        return all(change.alongWith().stream()
                .map(client -> setLink(client, change.up())
                        .thenApply(Optional::of)
                        .exceptionally(EntityWork::absentOrRethrow))
                .toList())
                .thenCompose(set -> netdev(change.netdev(), NetdevCommand.CompleteLinkSet::new)
                        .thenApply(completed -> Stream.concat(set.stream().flatMap(Optional::stream), Stream.of(completed))
                                .toList()));
    }

    /**
     * The link changes the woken netdevs journaled and a node's crash cut off (the directory, elsewhere,
     * did not restart), of those whose clients the wake holds.
     */
    private static List<Plan.LinkChange> unfinishedAmong(List<Confirmed> states, List<NetClientRef> held) {
        return states.stream()
                .flatMap(state -> state instanceof Confirmed.OfNetdev(var done)
                        && done.state() instanceof NetdevState.Present present
                        ? Plan.LinkChange.of(present).stream() : Stream.empty())
                .filter(change -> held.containsAll(change.alongWith()))
                .toList();
    }

    private static Optional<Confirmed> absentOrRethrow(Throwable failure) {
        if (cause(failure) instanceof NetException e && e.errorClass() == ErrorClass.DeviceNotFound) {
            return Optional.empty();
        }
        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
    }

    /**
     * What a crash left half done, completed before the directory serves: link changes first, then
     * peerings recorded on one side only dropped.
     */
    CompletionStage<List<Confirmed>> repair(List<Plan.LinkChange> unfinished, List<NetClientRef> oneSided) {
        return finish(unfinished).thenCompose(finished -> all(oneSided.stream().map(this::peerDeleted).toList())
                .thenApply(detached -> concat(finished, detached)));
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
    CompletionStage<Confirmed> peerDeleted(NetClientRef client) {
        return switch (client.kind()) {
            case NETDEV -> netdev(client.name(), NetdevCommand.DetachPeer::new);
            case NIC -> nic(client.name(), NicCommand.PeerDeleted::new);
        };
    }

    CompletionStage<Confirmed> get(NetClientRef client) {
        return get(client, placements().of(client));
    }

    /** The state of the entity at {@code placement} (at recovery, before the placement is recorded). */
    CompletionStage<Confirmed> get(NetClientRef client, Placements.Placement placement) {
        return switch (client.kind()) {
            case NETDEV -> netdevAt(placement, NetdevCommand.Get::new);
            case NIC -> nicAt(placement, NicCommand.Get::new);
        };
    }

    /**
     * {@code view} with the realization status each netdev's entity knows now for those the index
     * has without their resource: an entity retries with back-off and may hold it again, and the
     * node of one recovered while it was unreachable may be back.
     */
    CompletionStage<NetworkView> withCurrentStatus(NetworkView view) {
        List<CompletableFuture<NetClientInfo>> clients = view.clients().stream()
                .map(client -> client.type().equals("nic") || client.status().equals(NetClientInfo.OK)
                        ? CompletableFuture.completedFuture(client)
                        : !reachable().test(client.node())
                        ? CompletableFuture.completedFuture(client.withStatus(NetErrors.nodeUnreachableStatus(client.node())))
                        : netdev(client.name(), NetdevCommand.Get::new)
                                .thenApply(state -> client.withStatus(((Confirmed.OfNetdev) state).done().status()))
                                .exceptionally(failure -> client)
                                .toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new))
                .thenApply(done -> new NetworkView(view.hubs(), clients.stream().map(CompletableFuture::join).toList()));
    }

    /**
     * After a failure the entities may still have changed (a timeout after the journal committed):
     * what they say now, read while the request still holds them, so that the index stays true.
     */
    CompletionStage<List<Confirmed>> reread(List<Lock> held) {
        List<CompletableFuture<Optional<Confirmed>>> reads = new ArrayList<>(held.size());
        for (Lock lock : held) {
            if (lock instanceof Lock.Client(var client)) {
                reads.add(get(client).thenApply(Optional::of).exceptionally(failure -> Optional.empty())
                        .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(all -> reads.stream().flatMap(read -> read.join().stream()).toList());
    }

    /** What failed, out of the wrapper a stage's failure arrives in. */
    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static <T> List<T> concat(List<T> first, List<T> then) {
        return Stream.concat(first.stream(), then.stream()).toList();
    }

    private static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
        List<CompletableFuture<T>> futures = stages.stream().map(CompletionStage::toCompletableFuture).toList();
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }

    private CompletionStage<Confirmed> netdev(String name,
                                              Function<ActorRef<EntityReply<NetdevCommand.Done>>, NetdevCommand> command) {
        return netdevAt(placements().of(NetClientRef.netdev(name)), command);
    }

    private CompletionStage<Confirmed> netdevAt(Placements.Placement placement,
                                                Function<ActorRef<EntityReply<NetdevCommand.Done>>, NetdevCommand> command) {
        return Asks.<NetdevCommand, EntityReply<NetdevCommand.Done>>ask(settings.netdevs().apply(placement), command,
                        settings.askTimeout(), scheduler)
                .thenApply(reply -> new Confirmed.OfNetdev(reply.orThrow()));
    }

    private CompletionStage<Confirmed> nic(String name, Function<ActorRef<EntityReply<NicCommand.Done>>, NicCommand> command) {
        return nicAt(placements().of(NetClientRef.nic(name)), command);
    }

    private CompletionStage<Confirmed> nicAt(Placements.Placement placement,
                                             Function<ActorRef<EntityReply<NicCommand.Done>>, NicCommand> command) {
        return Asks.<NicCommand, EntityReply<NicCommand.Done>>ask(settings.nics().apply(placement), command,
                        settings.askTimeout(), scheduler)
                .thenApply(reply -> new Confirmed.OfNic(reply.orThrow()));
    }
}
