package io.vnetd.actors.netdev;

import io.vnetd.actors.cluster.PlacedId;
import io.vnetd.actors.netdev.NetdevCommand.Done;
import io.vnetd.actors.persistence.IdlePassivation;
import io.vnetd.actors.persistence.InFlightReply;
import io.vnetd.actors.persistence.JournaledEntity;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.port.PortControl;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.slf4j.Logger;

/**
 * One network backend as a persistent entity. It checks the rules that need its own state, acquires
 * its host resource before journaling (so a port in use comes back as QEMU's error and nothing is
 * written), activates the port once the answer is sent (so the connection's events follow the
 * answer, as in QEMU), and re-realizes its port after recovery.
 */
public final class NetdevEntity extends JournaledEntity<NetdevCommand, NetdevEvent, NetdevState, Done> {

    public static final EntityTypeKey<NetdevCommand> TYPE_KEY = EntityTypeKey.create(NetdevCommand.class, "Netdev");

    private static final String OK = NetClientInfo.OK;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private final String name;
    private final NetClientRef self;
    private final PortControl ports;
    private final Logger log;
    private final String node;
    /** Whether the port's resource is held now: derived from effects, so never journaled. */
    private String status = OK;
    private final TimerScheduler<NetdevCommand> timers;
    /** The wait before the next attempt to re-acquire a resource that a restart could not get back. */
    private Duration retryDelay = FIRST_RETRY;

    private NetdevEntity(ActorContext<NetdevCommand> context, TimerScheduler<NetdevCommand> timers, String entityId,
                         PortControl ports, InFlightReply<Done> journaling, IdlePassivation<NetdevCommand> passivation) {
        super(TYPE_KEY, entityId, journaling, new Idle<>(passivation, timers, context.getSelf(), new NetdevCommand.Idle()));
        this.name = PlacedId.name(entityId);
        this.self = NetClientRef.netdev(this.name);
        this.ports = ports;
        this.log = context.getLog();
        this.node = context.getSystem().settings().config().getString("vnetd.actors.node-name");
        this.timers = timers;
    }

    /** The entity of id {@code entityId} (see {@link PlacedId}), leaving memory when {@code passivation} says. */
    public static Behavior<NetdevCommand> create(String entityId, PortControl ports,
                                                 IdlePassivation<NetdevCommand> passivation) {
        return InFlightReply.<NetdevCommand, Done>refusingOnJournalFailure(journaling ->
                Behaviors.withTimers(timers -> Behaviors.setup(
                        context -> new NetdevEntity(context, timers, entityId, ports, journaling, passivation))));
    }

    @Override
    public NetdevState emptyState() {
        return new NetdevState.Absent();
    }

    @Override
    protected CommandHandlerWithReply<NetdevCommand, NetdevEvent, NetdevState> commands() {
        var builder = newCommandHandlerWithReplyBuilder();
        builder.forStateType(NetdevState.Absent.class)
                .onCommand(NetdevCommand.Create.class, this::create)
                .onCommand(NetdevCommand.Get.class, (state, c) -> reply(c.replyTo(), done(state)))
                .onCommand(NetdevCommand.Delete.class, c -> refuse(c.replyTo(), NetErrors.deviceNotFound(name)))
                .onCommand(NetdevCommand.SetLink.class, c -> refuse(c.replyTo(), NetErrors.deviceNotFound(name)))
                .onCommand(NetdevCommand.CompleteLinkSet.class, (state, c) -> reply(c.replyTo(), done(state)))
                .onCommand(NetdevCommand.AttachPeer.class, c -> refuse(c.replyTo(), NetErrors.netdevNotFound(name)))
                .onCommand(NetdevCommand.DetachPeer.class, (state, c) -> reply(c.replyTo(), done(state)))
                .onCommand(NetdevCommand.RetryRealize.class, c -> Effect().noReply());
        builder.forStateType(NetdevState.Present.class)
                .onCommand(NetdevCommand.RetryRealize.class, (state, c) -> {
                    realize(state);
                    return Effect().noReply();
                })
                .onCommand(NetdevCommand.Get.class, (state, c) -> reply(c.replyTo(), done(state)))
                .onCommand(NetdevCommand.Create.class, c -> refuse(c.replyTo(), NetErrors.duplicateId(name)))
                .onCommand(NetdevCommand.Delete.class, this::delete)
                .onCommand(NetdevCommand.SetLink.class, this::setLink)
                .onCommand(NetdevCommand.CompleteLinkSet.class, this::completeLinkSet)
                .onCommand(NetdevCommand.AttachPeer.class, this::attachPeer)
                .onCommand(NetdevCommand.DetachPeer.class, this::detachPeer);
        return builder.build();
    }

    private ReplyEffect<NetdevEvent, NetdevState> create(NetdevState.Absent state, NetdevCommand.Create c) {
        try {
            ports.open(c.config());
        } catch (NetException e) {
            return refuse(c.replyTo(), e);
        }
        status = OK;
        return replyOnceJournaled(Effect().persist(new NetdevEvent.Created(c.config(), c.ordinal(), c.hubOrdinal()))
                .thenRun(this::realizePeer),
                c.replyTo(), this::done, created -> ports.activate(self));
    }

    private ReplyEffect<NetdevEvent, NetdevState> delete(NetdevState.Present state, NetdevCommand.Delete c) {
        return replyOnceJournaled(Effect().persist(new NetdevEvent.Deleted())
                .thenRun(s -> ports.close(self)),
                c.replyTo(), this::done);
    }

    private ReplyEffect<NetdevEvent, NetdevState> setLink(NetdevState.Present state, NetdevCommand.SetLink c) {
        boolean changes = state.linkUp() != c.up();
        if (!changes && c.alongWith().equals(state.linkPending())) {
            return reply(c.replyTo(), done(state));
        }
        return replyOnceJournaled(Effect().persist(new NetdevEvent.LinkSet(c.up(), c.alongWith()))
                .thenRun(s -> {
                    if (changes) {
                        ports.setLink(self, c.up());
                    }
                }),
                c.replyTo(), this::done);
    }

    private ReplyEffect<NetdevEvent, NetdevState> completeLinkSet(NetdevState.Present state,
                                                                   NetdevCommand.CompleteLinkSet c) {
        if (state.linkPending().isEmpty()) {
            return reply(c.replyTo(), done(state));
        }
        return replyOnceJournaled(Effect().persist(new NetdevEvent.LinkSetCompleted()), c.replyTo(), this::done);
    }

    private ReplyEffect<NetdevEvent, NetdevState> attachPeer(NetdevState.Present state, NetdevCommand.AttachPeer c) {
        if (state.peer().isPresent()) {
            return refuse(c.replyTo(), NetErrors.netdevInUse(name));
        }
        return replyOnceJournaled(Effect().persist(new NetdevEvent.PeerAttached(c.peer())), c.replyTo(), this::done);
    }

    private ReplyEffect<NetdevEvent, NetdevState> detachPeer(NetdevState.Present state, NetdevCommand.DetachPeer c) {
        if (state.peer().isEmpty()) {
            return reply(c.replyTo(), done(state));
        }
        return replyOnceJournaled(Effect().persist(new NetdevEvent.PeerDetached())
                .thenRun(s -> ports.disconnect(self)),
                c.replyTo(), this::done);
    }

    @Override
    public EventHandler<NetdevState, NetdevEvent> eventHandler() {
        return NetdevState::apply;
    }

    /**
     * After recovery: re-acquire the resource, restore link and peer in the data plane, then serve
     * the port. A resource that cannot be had (a port taken meanwhile) is tried again with back-off;
     * the netdev stays configured and the listing says why it has no port.
     */
    @Override
    protected void recovered(NetdevState state) {
        realize(state);
    }

    /** Not while the resource is being retried: the retries are the entity's timers. */
    @Override
    protected boolean mayPassivate(NetdevState state) {
        return status.equals(OK);
    }

    /** A port opened for a create whose journal write then failed must not outlive the attempt. */
    @Override
    protected void stopping(NetdevState state) {
        if (state instanceof NetdevState.Absent) {
            ports.close(self);
        }
    }

    private void realize(NetdevState state) {
        if (!(state instanceof NetdevState.Present present)) {
            return;
        }
        try {
            realize(ports, present);
            status = OK;
            retryDelay = FIRST_RETRY;
        } catch (NetException e) {
            if (!e.desc().equals(status)) {
                log.warn("netdev '{}' could not re-acquire its backend, retrying every {} s at most: {}",
                        name, LONGEST_RETRY.toSeconds(), e.desc());
            }
            status = e.desc();
            timers.startSingleTimer(new NetdevCommand.RetryRealize(), retryDelay);
            retryDelay = retryDelay.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retryDelay.multipliedBy(2);
        }
    }

    /**
     * Makes the data plane hold netdev {@code state} as journaled: its port with its resource, link and
     * peer, served. Whoever realizes a recovered netdev calls this (the entity, or on a single node the
     * directory at start); realizing what is realized already changes nothing.
     *
     * @throws NetException if the resource cannot be had; nothing else is realized then
     */
    public static void realize(PortControl ports, NetdevState.Present state) {
        NetClientRef self = NetClientRef.netdev(state.config().id());
        ports.open(state.config());
        if (!state.linkUp()) {
            ports.setLink(self, false);
        }
        state.peer().ifPresent(peer -> ports.connect(self, peer));
        ports.activate(self);
    }

    private void realizePeer(NetdevState state) {
        if (state instanceof NetdevState.Present present) {
            present.peer().ifPresent(p -> ports.connect(self, p));
        }
    }

    private Done done(NetdevState state) {
        return new Done(name, state, status, node);
    }
}
