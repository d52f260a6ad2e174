package io.vnetd.actors.nic;

import io.vnetd.actors.nic.NicCommand.Done;
import io.vnetd.actors.nic.NicCommand.Refused;
import io.vnetd.actors.nic.NicCommand.Reply;
import io.vnetd.actors.persistence.InFlightReply;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.VlanTable;
import io.vnetd.model.port.PortControl;
import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetEventPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;

/**
 * One NIC as a persistent entity: plugged into a backend, with a link, and (for virtio-net) the
 * receive filter its guest programs, journaled so that it survives restarts and is applied by the
 * data plane to every frame delivered to the NIC.
 */
public final class NicEntity extends EventSourcedBehavior<NicCommand, NicEvent, NicState> {

    public static final EntityTypeKey<NicCommand> TYPE_KEY = EntityTypeKey.create(NicCommand.class, "Nic");

    static final int SNAPSHOT_EVERY = 100;

    private final String name;
    private final NetClientRef self;
    private final PortControl ports;
    private final NetEventPublisher events;
    private final Logger log;
    private final InFlightReply<Reply> journaling;

    private NicEntity(ActorContext<NicCommand> context, String name, PortControl ports, NetEventPublisher events,
                      InFlightReply<Reply> journaling) {
        super(PersistenceId.of(TYPE_KEY.name(), name),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        this.name = name;
        this.self = NetClientRef.nic(name);
        this.ports = ports;
        this.events = events;
        this.log = context.getLog();
        this.journaling = journaling;
    }

    public static Behavior<NicCommand> create(String name, PortControl ports, NetEventPublisher events) {
        return InFlightReply.<NicCommand, Reply>refusingOnJournalFailure(Refused::of, journaling ->
                Behaviors.setup(context -> new NicEntity(context, name, ports, events, journaling)));
    }

    @Override
    public NicState emptyState() {
        return new NicState.Absent();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
    }

    @Override
    public CommandHandler<NicCommand, NicEvent, NicState> commandHandler() {
        var builder = newCommandHandlerBuilder();
        builder.forStateType(NicState.Absent.class)
                .onCommand(NicCommand.Create.class, this::create)
                .onCommand(NicCommand.Get.class, (state, c) -> reply(c.replyTo(), state))
                .onCommand(NicCommand.PeerDeleted.class, (state, c) -> reply(c.replyTo(), state))
                .onCommand(NicCommand.Delete.class, c -> refuse(c.replyTo(), NetException.deviceNotFound(name)))
                .onCommand(NicCommand.SetLink.class, c -> refuse(c.replyTo(), NetException.deviceNotFound(name)))
                .onCommand(NicCommand.QueryRxFilter.class,
                        c -> refuse(c.replyTo(), NetException.generic("invalid net client name: " + name)))
                .onCommand(NicCommand.Guest.class, c -> refuse(c.replyTo(), NetException.deviceNotFound(name)));
        builder.forStateType(NicState.Present.class)
                .onCommand(NicCommand.Get.class, (state, c) -> reply(c.replyTo(), state))
                .onCommand(NicCommand.Create.class,
                        c -> refuse(c.replyTo(), NetException.generic("Duplicate device ID '" + name + "'")))
                .onCommand(NicCommand.Delete.class, this::delete)
                .onCommand(NicCommand.SetLink.class, this::setLink)
                .onCommand(NicCommand.PeerDeleted.class, this::peerDeleted)
                .onCommand(NicCommand.QueryRxFilter.class, this::queryRxFilter)
                .onCommand(NicCommand.Guest.class, this::guest);
        return builder.build();
    }

    private Effect<NicEvent, NicState> create(NicState.Absent state, NicCommand.Create c) {
        try {
            ports.openNic(c.config(), RxFilter.reset(c.config().mac()));
        } catch (NetException e) {
            return refuse(c.replyTo(), e);
        }
        return journaling.thenReply(Effect().persist(new NicEvent.Created(c.config(), c.ordinal()))
                .thenRun(this::realizePeer),
                c.replyTo(), this::done);
    }

    private Effect<NicEvent, NicState> delete(NicState.Present state, NicCommand.Delete c) {
        NicConfig config = state.config();
        return journaling.thenReply(Effect().persist(new NicEvent.Deleted())
                .thenRun(s -> {
                    ports.close(self);
                    // QEMU unrealizes the virtio device inside a PCI proxy first, and announces each.
                    config.model().backendChild().ifPresent(child ->
                            events.publish(new NetEvent.DeviceDeleted(Optional.empty(), config.virtioPath())));
                    events.publish(new NetEvent.DeviceDeleted(config.id(), config.qomPath()));
                }),
                c.replyTo(), this::done);
    }

    private Effect<NicEvent, NicState> setLink(NicState.Present state, NicCommand.SetLink c) {
        if (state.linkUp() == c.up()) {
            return reply(c.replyTo(), state);
        }
        return journaling.thenReply(Effect().persist(new NicEvent.LinkSet(c.up()))
                .thenRun(s -> ports.setLink(self, c.up())),
                c.replyTo(), this::done);
    }

    private Effect<NicEvent, NicState> peerDeleted(NicState.Present state, NicCommand.PeerDeleted c) {
        if (state.peer().isEmpty()) {
            return reply(c.replyTo(), state);
        }
        return journaling.thenReply(Effect().persist(new NicEvent.PeerDeleted())
                .thenRun(s -> {
                    ports.disconnect(self);
                    ports.setLink(self, false);
                }),
                c.replyTo(), this::done);
    }

    private Effect<NicEvent, NicState> queryRxFilter(NicState.Present state, NicCommand.QueryRxFilter c) {
        if (!state.config().model().hasRxFilter()) {
            return refuse(c.replyTo(), NetException.generic("net client(" + name + ") doesn't support rx-filter querying"));
        }
        if (state.notifyArmed()) {
            return reply(c.replyTo(), state);
        }
        return journaling.thenReply(Effect().persist(new NicEvent.RxFilterNotifyRearmed()),
                c.replyTo(), this::done);
    }

    private Effect<NicEvent, NicState> guest(NicState.Present state, NicCommand.Guest c) {
        if (!state.config().model().hasRxFilter()) {
            return refuse(c.replyTo(), NetException.generic(
                    "NIC '" + name + "' (" + state.config().model().driver() + ") has no virtio control queue"));
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
                    return refuse(c.replyTo(), NetException.generic("VLAN id " + vid + " is out of range 0-4095"));
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
        }
        boolean announce = notifies && state.notifyArmed();
        if (announce) {
            changes.add(new NicEvent.RxFilterChangeNotified());
        }
        boolean failover = c.control() instanceof GuestControl.AckFeatures(var v, var standby)
                && standby && !state.standby() && state.config().failover();
        return journaling.thenReply(Effect().persist(changes)
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

    @Override
    public SignalHandler<NicState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), this::realize)
                .onSignal(PreRestart.instance(), this::releaseIfAbsent)
                .onSignal(PostStop.instance(), this::releaseIfAbsent)
                .build();
    }

    private void releaseIfAbsent(NicState state) {
        if (state instanceof NicState.Absent) {
            ports.close(self);
        }
    }

    private void realize(NicState state) {
        if (!(state instanceof NicState.Present present)) {
            return;
        }
        try {
            ports.openNic(present.config(), present.rxFilter());
        } catch (NetException e) {
            log.warn("NIC '{}' could not re-acquire its guest side: {}", name, e.desc());
        }
        if (!present.linkUp()) {
            ports.setLink(self, false);
        }
        realizePeer(present);
    }

    private void realizePeer(NicState state) {
        if (state instanceof NicState.Present present) {
            present.peer().ifPresent(peer -> ports.connect(self, NetClientRef.netdev(peer)));
        }
    }

    private Done done(NicState state) {
        return new Done(name, state);
    }

    private Effect<NicEvent, NicState> reply(ActorRef<Reply> replyTo, NicState state) {
        return Effect().reply(replyTo, done(state));
    }

    private Effect<NicEvent, NicState> refuse(ActorRef<Reply> replyTo, NetException e) {
        return Effect().reply(replyTo, Refused.of(e));
    }
}
