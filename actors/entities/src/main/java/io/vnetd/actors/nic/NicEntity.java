package io.vnetd.actors.nic;

import io.vnetd.actors.cluster.PlacedId;
import io.vnetd.actors.nic.NicCommand.Done;
import io.vnetd.actors.persistence.IdlePassivation;
import io.vnetd.actors.persistence.InFlightReply;
import io.vnetd.actors.persistence.JournaledEntity;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.VlanTable;
import io.vnetd.model.port.PortControl;
import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetEventPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * One NIC as a persistent entity: plugged into a backend, with a link, and (for virtio-net) the
 * receive filter its guest programs, journaled so that it survives restarts and is applied by the
 * data plane to every frame delivered to the NIC.
 */
public final class NicEntity extends JournaledEntity<NicCommand, NicEvent, NicState, Done> {

    public static final EntityTypeKey<NicCommand> TYPE_KEY = EntityTypeKey.create(NicCommand.class, "Nic");

    private final String name;
    private final NetClientRef self;
    private final PortControl ports;
    private final NetEventPublisher events;
    private final Logger log;
    private final String node;

    private NicEntity(ActorContext<NicCommand> context, TimerScheduler<NicCommand> timers, String entityId,
                      PortControl ports, NetEventPublisher events, InFlightReply<Done> journaling,
                      IdlePassivation<NicCommand> passivation) {
        super(TYPE_KEY, entityId, journaling, new Idle<>(passivation, timers, context.getSelf(), new NicCommand.Idle()));
        this.name = PlacedId.name(entityId);
        this.self = NetClientRef.nic(this.name);
        this.ports = ports;
        this.events = events;
        this.log = context.getLog();
        this.node = context.getSystem().settings().config().getString("vnetd.actors.node-name");
    }

    /** The entity of id {@code entityId} (see {@link PlacedId}), leaving memory when {@code passivation} says. */
    public static Behavior<NicCommand> create(String entityId, PortControl ports, NetEventPublisher events,
                                              IdlePassivation<NicCommand> passivation) {
        return InFlightReply.<NicCommand, Done>refusingOnJournalFailure(journaling ->
                Behaviors.withTimers(timers -> Behaviors.setup(context ->
                        new NicEntity(context, timers, entityId, ports, events, journaling, passivation))));
    }

    @Override
    public NicState emptyState() {
        return new NicState.Absent();
    }

    @Override
    protected CommandHandlerWithReply<NicCommand, NicEvent, NicState> commands() {
        var builder = newCommandHandlerWithReplyBuilder();
        builder.forStateType(NicState.Absent.class)
                .onCommand(NicCommand.Create.class, this::create)
                .onCommand(NicCommand.Get.class, (state, c) -> reply(c.replyTo(), done(state)))
                .onCommand(NicCommand.PeerDeleted.class, (state, c) -> reply(c.replyTo(), done(state)))
                .onCommand(NicCommand.Delete.class, c -> refuse(c.replyTo(), NetErrors.deviceNotFound(name)))
                .onCommand(NicCommand.SetLink.class, c -> refuse(c.replyTo(), NetErrors.deviceNotFound(name)))
                .onCommand(NicCommand.QueryRxFilter.class,
                        c -> refuse(c.replyTo(), NetErrors.invalidNetClientName(name)))
                .onCommand(NicCommand.Guest.class, c -> refuse(c.replyTo(), NetErrors.deviceNotFound(name)));
        builder.forStateType(NicState.Present.class)
                .onCommand(NicCommand.Get.class, (state, c) -> reply(c.replyTo(), done(state)))
                .onCommand(NicCommand.Create.class,
                        c -> refuse(c.replyTo(), NetErrors.duplicateDeviceId(name)))
                .onCommand(NicCommand.Delete.class, this::delete)
                .onCommand(NicCommand.SetLink.class, this::setLink)
                .onCommand(NicCommand.PeerDeleted.class, this::peerDeleted)
                .onCommand(NicCommand.QueryRxFilter.class, this::queryRxFilter)
                .onCommand(NicCommand.Guest.class, this::guest);
        return builder.build();
    }

    private ReplyEffect<NicEvent, NicState> create(NicState.Absent state, NicCommand.Create c) {
        try {
            ports.openNic(c.config(), RxFilter.reset(c.config().mac()));
        } catch (NetException e) {
            return refuse(c.replyTo(), e);
        }
        return replyOnceJournaled(Effect().persist(new NicEvent.Created(c.config(), c.ordinal()))
                .thenRun(this::realizePeerAndGuest),
                c.replyTo(), this::done);
    }

    private ReplyEffect<NicEvent, NicState> delete(NicState.Present state, NicCommand.Delete c) {
        NicConfig config = state.config();
        return replyOnceJournaled(Effect().persist(new NicEvent.Deleted())
                .thenRun(s -> {
                    ports.close(self);
                    // QEMU unrealizes the virtio device inside a PCI proxy first, and announces each.
                    config.model().backendChild().ifPresent(child ->
                            events.publish(new NetEvent.DeviceDeleted(Optional.empty(), config.virtioPath())));
                    events.publish(new NetEvent.DeviceDeleted(config.id(), config.qomPath()));
                }),
                c.replyTo(), this::done);
    }

    private ReplyEffect<NicEvent, NicState> setLink(NicState.Present state, NicCommand.SetLink c) {
        if (state.linkUp() == c.up()) {
            return reply(c.replyTo(), done(state));
        }
        return replyOnceJournaled(Effect().persist(new NicEvent.LinkSet(c.up()))
                .thenRun(s -> ports.setLink(self, c.up())),
                c.replyTo(), this::done);
    }

    private ReplyEffect<NicEvent, NicState> peerDeleted(NicState.Present state, NicCommand.PeerDeleted c) {
        if (state.peer().isEmpty()) {
            return reply(c.replyTo(), done(state));
        }
        return replyOnceJournaled(Effect().persist(new NicEvent.PeerDeleted())
                .thenRun(s -> {
                    ports.disconnect(self);
                    ports.setLink(self, false);
                }),
                c.replyTo(), this::done);
    }

    private ReplyEffect<NicEvent, NicState> queryRxFilter(NicState.Present state, NicCommand.QueryRxFilter c) {
        if (!state.config().model().hasRxFilter()) {
            return refuse(c.replyTo(), NetErrors.noRxFilterQuery(name));
        }
        if (state.notifyArmed()) {
            return reply(c.replyTo(), done(state));
        }
        return replyOnceJournaled(Effect().persist(new NicEvent.RxFilterNotifyRearmed()),
                c.replyTo(), this::done);
    }

    private ReplyEffect<NicEvent, NicState> guest(NicState.Present state, NicCommand.Guest c) {
        if (!state.config().model().hasRxFilter()) {
            return refuse(c.replyTo(), NetErrors.noControlQueue(name, state.config().model().driver()));
        }
        RxFilter filter = state.rxFilter();
        List<NicEvent> changes = new ArrayList<>();
        boolean notifies = true;
        switch (c.control()) {
            case GuestControl.SetRxFlag(var flag, var on) -> changes.add(new NicEvent.RxFlagSet(flag, on));
            case GuestControl.SetMacTable(var unicast, var multicast) -> {
                RxFilter table = filter.withMacTable(unicast, multicast);
                changes.add(new NicEvent.MacTableSet(table.unicastTable(), table.multicastTable(),
                        table.unicastOverflow(), table.multicastOverflow()));
            }
            case GuestControl.SetMac(var mac) -> changes.add(new NicEvent.MainMacSet(mac));
            case GuestControl.SetVlan(var vid, var member) -> {
                if (vid < 0 || vid >= VlanTable.MAX_VLAN) {
                    return refuse(c.replyTo(), NetErrors.vlanOutOfRange(vid));
                }
                changes.add(new NicEvent.VlanSet(vid, member));
            }
            case GuestControl.AckFeatures(var ctrlVlan, var standby) -> {
                changes.add(new NicEvent.FeaturesAcked(ctrlVlan, standby));
                notifies = false;
            }
            case GuestControl.Reset r -> {
                changes.add(new NicEvent.GuestReset());
                notifies = false;
            }
            case GuestControl.Mirror(var wanted) -> changes.addAll(RxFilterChanges.between(filter, wanted, state.standby()));
        }
        if (changes.isEmpty()) {
            return reply(c.replyTo(), done(state));
        }
        boolean announce = notifies && state.notifyArmed();
        if (announce) {
            changes.add(new NicEvent.RxFilterChangeNotified());
        }
        boolean failover = c.control() instanceof GuestControl.AckFeatures(var v, var standby)
                && standby && !state.standby() && state.config().failover();
        return replyOnceJournaled(Effect().persist(changes)
                .thenRun(after -> {
                    ports.setRxFilter(name, ((NicState.Present) after).rxFilter());
                    if (announce) {
                        events.publish(new NetEvent.NicRxFilterChanged(state.config().id(), state.config().virtioPath()));
                    }
                    if (failover) {
                        events.publish(new NetEvent.FailoverNegotiated(state.config().id().orElse(name)));
                    }
                }),
                c.replyTo(), this::done);
    }

    @Override
    public EventHandler<NicState, NicEvent> eventHandler() {
        return NicState::apply;
    }

    /** A port opened for a create whose journal write then failed must not outlive the attempt. */
    @Override
    protected void stopping(NicState state) {
        if (state instanceof NicState.Absent) {
            ports.close(self);
        }
    }

    /** After recovery: re-open the NIC's port with its filter, and restore link and peer. */
    @Override
    protected void recovered(NicState state) {
        if (state instanceof NicState.Present present) {
            realize(ports, present).ifPresent(e -> log.warn("NIC '{}' could not re-acquire its guest side: {}",
                    name, e.desc()));
        }
    }

    /**
     * Makes the data plane hold NIC {@code state} as journaled: its guest side with its filter, link and
     * peer. Whoever realizes a recovered NIC calls this (the entity, or on a single node the directory at
     * start); realizing what is realized already changes nothing.
     *
     * @return why the guest side could not be opened, if it could not (link and peer are set all the same)
     */
    public static Optional<NetException> realize(PortControl ports, NicState.Present state) {
        NetClientRef self = NetClientRef.nic(state.config().name());
        Optional<NetException> failure = Optional.empty();
        try {
            ports.openNic(state.config(), state.rxFilter());
        } catch (NetException e) {
            failure = Optional.of(e);
        }
        if (!state.linkUp()) {
            ports.setLink(self, false);
        }
        state.peer().ifPresent(peer -> ports.connect(self, NetClientRef.netdev(peer)));
        if (failure.isEmpty()) {
            ports.activate(self);
        }
        return failure;
    }

    private void realizePeerAndGuest(NicState state) {
        if (state instanceof NicState.Present present) {
            present.peer().ifPresent(peer -> ports.connect(self, NetClientRef.netdev(peer)));
            // Its guest side starts reporting what its guest asks for once the NIC is journaled.
            ports.activate(self);
        }
    }

    private Done done(NicState state) {
        return new Done(name, state, node);
    }
}
