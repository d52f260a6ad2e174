package io.vnetd.actors.directory;

import io.vnetd.actors.cluster.PlacedId;
import io.vnetd.actors.directory.DirectoryCommand.Recovered;
import io.vnetd.actors.directory.DirectoryCommand.RecoveryFailed;
import io.vnetd.actors.directory.EntityCatalog.Folded;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.nic.NicEvent;
import io.vnetd.actors.nic.NicState;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.port.PortControl;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.slf4j.Logger;

/**
 * The directory's start: it learns the state of every entity the journal knows and has every port
 * realized, wakes announce timers, drops peerings that a crash left one-sided, and only then serves,
 * beginning with the requests stashed meanwhile. On a single node it reads the states in one pass over
 * the journal and realizes the ports itself, starting no entity (one starts when a request needs it);
 * in a cluster it asks every entity, which recovers and realizes its port on its node.
 */
final class DirectoryRecovery {

    private final NetDirectory.Settings settings;
    private final ActorContext<DirectoryCommand> context;
    private final StashBuffer<DirectoryCommand> stash;
    private final EntityWork work;
    /** Taken at setup: the recovery realizes ports on the journal's threads, where the context's log is not to be had. */
    private final Logger log;
    private final NetIndex index = new NetIndex();
    private final DirectorySnapshots snapshots;

    private DirectoryRecovery(NetDirectory.Settings settings, ActorContext<DirectoryCommand> context,
                              StashBuffer<DirectoryCommand> stash) {
        this.settings = settings;
        this.context = context;
        this.stash = stash;
        this.work = new EntityWork(settings, context.getSystem().scheduler());
        this.log = context.getLog();
        // Only a single node's start folds the journal itself; a cluster's asks the entities.
        this.snapshots = new DirectorySnapshots(settings.localPorts().flatMap(ports -> settings.checkpoints()),
                settings.catalog(), JacksonObjectMapperProvider.get(context.getSystem()).getOrCreate("jackson-json",
                        Optional.empty()), context.getSystem().scheduler(),
                context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()), log);
    }

    static Behavior<DirectoryCommand> start(NetDirectory.Settings settings) {
        return Behaviors.withStash(settings.stashCapacity(), stash -> Behaviors.setup(context -> {
            DirectoryRecovery recovery = new DirectoryRecovery(settings, context, stash);
            recovery.collect(recovery.recoverAll());
            return recovery.recovering();
        }));
    }

    private CompletionStage<List<Confirmed>> recoverAll() {
        return settings.localPorts().map(this::recoverInOnePass).orElseGet(this::recoverEachEntity);
    }

    private CompletionStage<List<Confirmed>> recoverInOnePass(PortControl ports) {
        CompletionStage<List<Boolean>> timers = work.wakeTimers();
        return snapshots.recover()
                .thenCompose(states -> realizeAll(ports, states.netdevs(), states.nics()))
                .thenCombine(timers, (states, woken) -> states);
    }

    /**
     * Realizes every recovered netdev and NIC; a netdev whose resource cannot be had now (or that fails
     * otherwise) is handed to its entity, which retries with back-off and answers with the reason.
     */
    private CompletionStage<List<Confirmed>> realizeAll(PortControl ports, Map<String, Folded<NetdevState>> netdevs,
                                                       Map<String, Folded<NicState>> nics) {
        List<CompletableFuture<Confirmed>> states = new ArrayList<>(netdevs.size() + nics.size());
        netdevs.forEach((entityId, folded) -> {
            if (folded.state() instanceof NetdevState.Present present) {
                NetClientRef client = NetClientRef.netdev(PlacedId.name(entityId));
                Placements.Placement placement = placed(client, entityId);
                CompletionStage<Confirmed> confirmed;
                try {
                    NetdevEntity.realize(ports, present);
                    confirmed = CompletableFuture.completedFuture(new Confirmed.OfNetdev(
                            new NetdevCommand.Done(client.name(), present, NetClientInfo.OK, placement.node())));
                } catch (RuntimeException e) {
                    confirmed = work.get(client, placement);
                }
                states.add(confirmed.toCompletableFuture());
            }
        });
        nics.forEach((entityId, folded) -> {
            if (folded.state() instanceof NicState.Present present) {
                NetClientRef client = NetClientRef.nic(PlacedId.name(entityId));
                Placements.Placement placement = placed(client, entityId);
                try {
                    NicEntity.realize(ports, present).ifPresent(e -> log.warn(
                            "NIC '{}' could not re-acquire its guest side: {}", client.name(), e.desc()));
                } catch (RuntimeException e) {
                    log.warn("NIC '{}' could not be realized: {}", client.name(), e.toString());
                }
                states.add(CompletableFuture.completedFuture(new Confirmed.OfNic(
                        new NicCommand.Done(client.name(), present, placement.node()))));
            }
        });
        return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new))
                .thenApply(done -> states.stream().map(CompletableFuture::join).toList());
    }

    /** Records where a recovered client lives. */
    private Placements.Placement placed(NetClientRef client, String entityId) {
        Placements.Placement placement = settings.placements().ofEntity(entityId);
        settings.placements().record(client, placement);
        settings.placements().located(client, placement.node());
        return placement;
    }

    private CompletionStage<List<Confirmed>> recoverEachEntity() {
        return settings.catalog().<Optional<Confirmed>>visitAll(entity -> {
            if (entity.type().equals(NetdevEntity.TYPE_KEY.name())) {
                return recover(NetClientRef.netdev(PlacedId.name(entity.id())), entity.id());
            }
            if (entity.type().equals(NicEntity.TYPE_KEY.name())) {
                return recover(NetClientRef.nic(PlacedId.name(entity.id())), entity.id());
            }
            return settings.wake().apply(entity).thenApply(woken -> Optional.empty());
        }).thenApply(states -> states.stream().flatMap(Optional::stream).toList());
    }

    /**
     * The state of one entity the journal lists; a present one records where the client lives. A
     * name deleted on one node and created again on another has an absent entity on the first.
     */
    private CompletionStage<Optional<Confirmed>> recover(NetClientRef client, String entityId) {
        Placements.Placement placement = settings.placements().ofEntity(entityId);
        CompletionStage<Confirmed> state = PlacedId.movable(placement.node()) || settings.reachable().test(placement.node())
                ? work.get(client, placement)
                : replayed(client, entityId, placement.node());
        return state.thenApply(confirmed -> {
            if (confirmed.present()) {
                settings.placements().record(client, placement);
                settings.placements().located(client, confirmed.node());
            }
            return Optional.of(confirmed);
        });
    }

    /**
     * The state of a client whose node cannot be reached, folded from its journaled events as its
     * entity would (it keeps its resource on that node; the listing says the node is unreachable).
     */
    private CompletionStage<Confirmed> replayed(NetClientRef client, String entityId, String node) {
        String status = NetErrors.nodeUnreachableStatus(node);
        return switch (client.kind()) {
            case NETDEV -> settings.catalog().events(new EntityCatalog.EntityId(NetdevEntity.TYPE_KEY.name(), entityId))
                    .thenApply(events -> {
                        NetdevState state = new NetdevState.Absent();
                        for (Object event : events) {
                            state = state.apply((NetdevEvent) event);
                        }
                        return new Confirmed.OfNetdev(new NetdevCommand.Done(client.name(), state, status, node));
                    });
            case NIC -> settings.catalog().events(new EntityCatalog.EntityId(NicEntity.TYPE_KEY.name(), entityId))
                    .thenApply(events -> {
                        NicState state = new NicState.Absent();
                        for (Object event : events) {
                            state = state.apply((NicEvent) event);
                        }
                        return new Confirmed.OfNic(new NicCommand.Done(client.name(), state, node));
                    });
        };
    }

    private void collect(CompletionStage<List<Confirmed>> states) {
        context.pipeToSelf(states, (collected, failure) -> failure == null
                ? new Recovered(collected)
                : new RecoveryFailed(String.valueOf(failure.getMessage())));
    }

    private Behavior<DirectoryCommand> recovering() {
        return Behaviors.receive(DirectoryCommand.class)
                .onMessage(Recovered.class, recovered -> {
                    // Absent first: a name's absent entity on one node must not hide its present one on another.
                    recovered.states().stream().sorted(Comparator.comparing(Confirmed::present))
                            .forEach(index::update);
                    List<Plan.LinkChange> unfinished = unfinishedLinkChanges(index).stream()
                            .filter(change -> reachableNow(NetClientRef.netdev(change.netdev()))
                                    && change.alongWith().stream().allMatch(this::reachableNow))
                            .toList();
                    List<NetClientRef> oneSided = oneSidedPeerings(index).stream().filter(this::reachableNow).toList();
                    if (!unfinished.isEmpty() || !oneSided.isEmpty()) {
                        repair(unfinished, oneSided, recovered.states());
                        return Behaviors.same();
                    }
                    context.getLog().info("directory ready: {} net clients recovered",
                            index.netdevs().size() + index.nics().size());
                    return stash.unstashAll(new NetDirectory(context, index, work, snapshots));
                })
                .onMessage(RecoveryFailed.class, failed -> {
                    throw new IllegalStateException("could not recover the net clients: " + failed.reason());
                })
                .onAnyMessage(message -> {
                    stash.stash(message);
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * Completes what a crash left half done ({@link EntityWork#repair}), then recovers again from the
     * repaired states, so that the directory serves nothing before the network is consistent.
     */
    private void repair(List<Plan.LinkChange> unfinished, List<NetClientRef> oneSided, List<Confirmed> states) {
        unfinished.forEach(change -> context.getLog().warn(
                "netdev '{}' journaled a set_link that {} may not have (an interrupted command): completing it",
                change.netdev(), change.alongWith()));
        oneSided.forEach(client -> context.getLog()
                .warn("{} had a one-sided peering (an interrupted command): dropping it", client));
        collect(work.repair(unfinished, oneSided).thenApply(repaired -> {
            Map<NetClientRef, Confirmed> byClient = new LinkedHashMap<>();
            states.forEach(state -> byClient.put(state.client(), state));
            repaired.forEach(state -> byClient.put(state.client(), state));
            return List.copyOf(byClient.values());
        }));
    }

    /**
     * Whether a client's entity can be asked now. A repair on a node that cannot be reached waits: asking
     * would fail the whole start (and with it every node's directory) until that node is back; a half-done
     * link change there is completed when the node joins ({@link Plan.Wake}), a one-sided peering at a
     * start that reaches it.
     */
    private boolean reachableNow(NetClientRef client) {
        String node = settings.placements().of(client).node();
        boolean reachable = PlacedId.movable(node) || settings.reachable().test(node);
        if (!reachable) {
            log.warn("{} on node {}, which cannot be reached, has an interrupted command to repair: left until it can",
                    client, node);
        }
        return reachable;
    }

    /** Link changes a netdev journaled that a crash kept from the clients it names. */
    static List<Plan.LinkChange> unfinishedLinkChanges(NetIndex index) {
        return index.netdevs().stream()
                .flatMap(entry -> Plan.LinkChange.of(entry.state()).stream())
                .sorted(Comparator.comparing(Plan.LinkChange::netdev))
                .toList();
    }

    /** Peerings recorded by one side only: left by a crash between the two writes of a peering. */
    static List<NetClientRef> oneSidedPeerings(NetIndex index) {
        return Stream.concat(index.netdevs().stream().map(entry -> NetClientRef.netdev(entry.state().config().id())),
                        index.nics().stream().map(nic -> NetClientRef.nic(nic.config().name())))
                .filter(client -> index.peerOf(client)
                        .map(peer -> !index.peerOf(peer).equals(Optional.of(client))).orElse(false))
                .sorted(Comparator.comparing(NetClientRef::kind).thenComparing(NetClientRef::name))
                .toList();
    }
}
