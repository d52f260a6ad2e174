package io.vnetd.actors.announce;

import io.vnetd.actors.announce.AnnounceCommand.Started;
import io.vnetd.actors.persistence.InFlightReply;
import io.vnetd.actors.persistence.JournaledEntity;
import io.vnetd.model.announce.AnnounceParameters;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One {@code announce-self} timer (named by its id, or the one unnamed timer). Each round's RARP
 * frames go to the data plane on behalf of every selected NIC (which drops them where a link is
 * down, as QEMU does), then the round is journaled with its time; after a restart the timer resumes
 * with the rounds left, and a round that fell due meanwhile is sent at once. A crash between sending
 * and journaling sends that round again: a repeated announcement is harmless, a missing one is not.
 * Its own ticks ({@code Fire}, {@code Targets}) are answered to nobody.
 */
public final class AnnounceTimerEntity
        extends JournaledEntity<AnnounceCommand, AnnounceEvent, AnnounceState, Started> {

    public static final EntityTypeKey<AnnounceCommand> TYPE_KEY = EntityTypeKey.create(AnnounceCommand.class, "Announce");

    /** The longest single wait; longer delays (QEMU allows up to INT64_MAX ms) are waited out in steps. */
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);

    /** The entity id of the timer {@code announce-self} without {@code id} uses. */
    public static final String UNNAMED = "-";

    private final ActorContext<AnnounceCommand> context;
    private final TimerScheduler<AnnounceCommand> timers;
    private final RoundSender sender;
    private final Supplier<CompletionStage<List<AnnounceTarget>>> nics;
    private final Clock clock;

    private AnnounceTimerEntity(ActorContext<AnnounceCommand> context, TimerScheduler<AnnounceCommand> timers,
                                String entityId, RoundSender sender,
                                Supplier<CompletionStage<List<AnnounceTarget>>> nics, Clock clock,
                                InFlightReply<Started> journaling) {
        super(TYPE_KEY, entityId, journaling);
        this.context = context;
        this.timers = timers;
        this.sender = sender;
        this.nics = nics;
        this.clock = clock;
    }

    /** The entity id of a timer: its {@code id} (prefixed, so no id collides with the unnamed one). */
    public static String entityId(AnnounceParameters params) {
        return params.id().map(id -> "=" + id).orElse(UNNAMED);
    }

    public static Behavior<AnnounceCommand> create(String entityId, RoundSender sender,
                                                   Supplier<CompletionStage<List<AnnounceTarget>>> nics, Clock clock) {
        return InFlightReply.<AnnounceCommand, Started>refusingOnJournalFailure(
                journaling -> Behaviors.withTimers(timers -> Behaviors.setup(
                        context -> new AnnounceTimerEntity(context, timers, entityId, sender, nics, clock, journaling))));
    }

    @Override
    public AnnounceState emptyState() {
        return new AnnounceState.Idle(0);
    }

    @Override
    protected CommandHandlerWithReply<AnnounceCommand, AnnounceEvent, AnnounceState> commands() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(AnnounceCommand.Start.class, this::start)
                .onCommand(AnnounceCommand.Wake.class, (state, wake) -> reply(wake.replyTo(), new Started(state)))
                .onCommand(AnnounceCommand.Fire.class, this::fire)
                .onCommand(AnnounceCommand.Targets.class, this::announce)
                .build();
    }

    private ReplyEffect<AnnounceEvent, AnnounceState> start(AnnounceState state, AnnounceCommand.Start start) {
        timers.cancelAll();
        AnnounceEvent event = start.params().rounds() == 0
                ? new AnnounceEvent.Cancelled()
                : new AnnounceEvent.Started(start.params(), clock.millis());
        return replyOnceJournaled(Effect().persist(event).thenRun(this::schedule), start.replyTo(), Started::new);
    }

    private ReplyEffect<AnnounceEvent, AnnounceState> fire(AnnounceState state, AnnounceCommand.Fire fire) {
        if (!(state instanceof AnnounceState.Running running) || running.generation() != fire.generation()) {
            return Effect().noReply();
        }
        if (running.nextDue() > clock.millis()) {
            // A delay longer than the scheduler's horizon is waited out in steps.
            schedule(running);
        } else {
            context.pipeToSelf(nics.get(), (targets, failure) -> new AnnounceCommand.Targets(fire.generation(),
                    failure == null ? targets : List.of()));
        }
        return Effect().noReply();
    }

    private ReplyEffect<AnnounceEvent, AnnounceState> announce(AnnounceState state, AnnounceCommand.Targets targets) {
        if (!(state instanceof AnnounceState.Running running) || running.generation() != targets.generation()) {
            return Effect().noReply();
        }
        for (AnnounceTarget target : targets.nics()) {
            if (running.params().selects(target.nic())) {
                sender.send(target, RarpFrame.of(target.mac()));
            }
        }
        return Effect().persist(new AnnounceEvent.RoundSent(clock.millis())).thenRun(this::schedule).thenNoReply();
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

    /** After recovery (or a wake at start): the rounds left resume, a round due meanwhile at once. */
    @Override
    protected void recovered(AnnounceState state) {
        schedule(state);
    }
}
