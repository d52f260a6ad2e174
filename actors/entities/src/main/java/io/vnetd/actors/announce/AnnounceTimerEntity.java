package io.vnetd.actors.announce;

import io.vnetd.actors.persistence.InFlightReply;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.port.PortControl;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One {@code announce-self} timer (named by its id, or the one unnamed timer). Each round's RARP
 * frames go to the data plane on behalf of every selected NIC (which drops them where a link is
 * down, as QEMU does), then the round is journaled with its time; after a restart the timer resumes
 * with the rounds left, and a round that fell due meanwhile is sent at once. A crash between sending
 * and journaling sends that round again: a repeated announcement is harmless, a missing one is not.
 */
public final class AnnounceTimerEntity extends EventSourcedBehavior<AnnounceCommand, AnnounceEvent, AnnounceState> {

    public static final EntityTypeKey<AnnounceCommand> TYPE_KEY = EntityTypeKey.create(AnnounceCommand.class, "Announce");

    /** The longest single wait; longer delays (QEMU allows up to INT64_MAX ms) are waited out in steps. */
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);

    /** The entity id of the timer {@code announce-self} without {@code id} uses. */
    public static final String UNNAMED = "-";

    private final ActorContext<AnnounceCommand> context;
    private final TimerScheduler<AnnounceCommand> timers;
    private final PortControl ports;
    private final Supplier<CompletionStage<List<AnnounceTarget>>> nics;
    private final Clock clock;
    private final InFlightReply<AnnounceCommand.Reply> journaling;

    private AnnounceTimerEntity(ActorContext<AnnounceCommand> context, TimerScheduler<AnnounceCommand> timers,
                                String entityId, PortControl ports,
                                Supplier<CompletionStage<List<AnnounceTarget>>> nics, Clock clock,
                                InFlightReply<AnnounceCommand.Reply> journaling) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        this.context = context;
        this.timers = timers;
        this.ports = ports;
        this.nics = nics;
        this.clock = clock;
        this.journaling = journaling;
    }

    /** The entity id of a timer: its {@code id} (prefixed, so no id collides with the unnamed one). */
    public static String entityId(AnnounceParameters params) {
        return params.id().map(id -> "=" + id).orElse(UNNAMED);
    }

    public static Behavior<AnnounceCommand> create(String entityId, PortControl ports,
                                                   Supplier<CompletionStage<List<AnnounceTarget>>> nics, Clock clock) {
        return InFlightReply.<AnnounceCommand, AnnounceCommand.Reply>refusingOnJournalFailure(
                AnnounceCommand.Refused::of, journaling -> Behaviors.withTimers(timers -> Behaviors.setup(
                        context -> new AnnounceTimerEntity(context, timers, entityId, ports, nics, clock, journaling))));
    }

    @Override
    public AnnounceState emptyState() {
        return new AnnounceState.Idle(0);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public CommandHandler<AnnounceCommand, AnnounceEvent, AnnounceState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(AnnounceCommand.Start.class, this::start)
                .onCommand(AnnounceCommand.Wake.class, (state, wake) ->
                        Effect().reply(wake.replyTo(), new AnnounceCommand.Started(state)))
                .onCommand(AnnounceCommand.Fire.class, this::fire)
                .onCommand(AnnounceCommand.Targets.class, this::announce)
                .build();
    }

    private Effect<AnnounceEvent, AnnounceState> start(AnnounceState state, AnnounceCommand.Start start) {
        timers.cancelAll();
        AnnounceEvent event = start.params().rounds() == 0
                ? new AnnounceEvent.Cancelled()
                : new AnnounceEvent.Started(start.params(), clock.millis());
        return journaling.thenReply(Effect().persist(event).thenRun(this::schedule),
                start.replyTo(), AnnounceCommand.Started::new);
    }

    private Effect<AnnounceEvent, AnnounceState> fire(AnnounceState state, AnnounceCommand.Fire fire) {
        if (!(state instanceof AnnounceState.Running running) || running.generation() != fire.generation()) {
            return Effect().none();
        }
        if (running.nextDue() > clock.millis()) {
            // A delay longer than the scheduler's horizon is waited out in steps.
            schedule(running);
        } else {
            context.pipeToSelf(nics.get(), (targets, failure) -> new AnnounceCommand.Targets(fire.generation(),
                    failure == null ? targets : List.of()));
        }
        return Effect().none();
    }

    private Effect<AnnounceEvent, AnnounceState> announce(AnnounceState state, AnnounceCommand.Targets targets) {
        if (!(state instanceof AnnounceState.Running running) || running.generation() != targets.generation()) {
            return Effect().none();
        }
        for (AnnounceTarget target : targets.nics()) {
            if (running.params().selects(target.nic())) {
                ports.inject(target.nic(), RarpFrame.of(target.mac()));
            }
        }
        return Effect().persist(new AnnounceEvent.RoundSent(clock.millis())).thenRun(this::schedule);
    }

    /** Arms the timer for the next round, at once if it is already due. */
    private void schedule(AnnounceState state) {
        if (state instanceof AnnounceState.Running running) {
            long delay = Math.clamp(running.nextDue() - clock.millis(), 0, LONGEST_WAIT.toMillis());
            timers.startSingleTimer(new AnnounceCommand.Fire(running.generation()), Duration.ofMillis(delay));
        }
    }

    @Override
    public EventHandler<AnnounceState, AnnounceEvent> eventHandler() {
        return AnnounceState::apply;
    }

    @Override
    public SignalHandler<AnnounceState> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::schedule).build();
    }
}
