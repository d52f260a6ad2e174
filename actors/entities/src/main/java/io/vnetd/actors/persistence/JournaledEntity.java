package io.vnetd.actors.persistence;

import io.vnetd.model.error.NetException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * What every entity of the control plane shares: its persistence id, restarts with back-off when the
 * journal fails, snapshot retention, passivation when idle, the answers to its commands and its life's
 * signals. Every command
 * handler returns a {@link ReplyEffect}, so the compiler checks that each command is answered (or says
 * that it is not: an entity's messages to itself). A journaled command is answered once its events are
 * written, or refused with the journal's error ({@link InFlightReply}).
 *
 * @param <A> the entity's answer to a command it carried out
 */
public abstract class JournaledEntity<C, E, S, A extends EntityReply.Accepted<A>>
        extends EventSourcedBehaviorWithEnforcedReplies<C, E, S> {

    /** Snapshot often enough that recovery replays at most this many events. */
    private static final int SNAPSHOT_EVERY = 100;

    /** Snapshots kept: the latest, and the one before in case the latest cannot be read. */
    private static final int SNAPSHOTS_KEPT = 2;

    private static final String IDLE_TIMER = "idle";

    private final InFlightReply<A> journaling;
    private final Idle<C> idle;
    /** Whether the entity has unlisted itself and waits out the grace before it asks to be passivated. */
    private boolean unlisted;

    /**
     * An entity's idle clock: what its passivation says, its timers, its own ref, and the message the
     * clock sends it when it has been idle long enough.
     */
    public record Idle<C>(IdlePassivation<C> passivation, TimerScheduler<C> timers, ActorRef<C> self, C tick) {
    }

    /** An entity that stays in memory as long as its node runs. */
    protected JournaledEntity(EntityTypeKey<C> type, String entityId, InFlightReply<A> journaling) {
        this(type, entityId, journaling, null);
    }

    /** An entity that leaves memory when {@code idle} says so, and only in a state {@link #mayPassivate} allows. */
    protected JournaledEntity(EntityTypeKey<C> type, String entityId, InFlightReply<A> journaling, Idle<C> idle) {
        super(PersistenceId.of(type.name(), entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        this.journaling = journaling;
        this.idle = idle != null && idle.passivation().enabled() ? idle : null;
    }

    /** The entity's commands; every one but the idle clock's restarts that clock. */
    protected abstract CommandHandlerWithReply<C, E, S> commands();

    @Override
    public final CommandHandlerWithReply<C, E, S> commandHandler() {
        CommandHandlerWithReply<C, E, S> commands = commands();
        if (idle == null) {
            return commands;
        }
        return (state, command) -> {
            if (command.equals(idle.tick())) {
                if (unlisted) {
                    idle.passivation().passivate().accept(idle.self());
                } else if (mayPassivate(state)) {
                    idle.passivation().unlist().accept(idle.self());
                    unlisted = true;
                    idle.timers().startSingleTimer(IDLE_TIMER, idle.tick(), IdlePassivation.GRACE);
                } else {
                    restartIdleClock();
                }
                return Effect().noReply();
            }
            restartIdleClock();
            return commands.apply(state, command);
        };
    }

    /** Whether the entity may leave memory now: not while it retries to realize its state, say. Yes by default. */
    protected boolean mayPassivate(S state) {
        return true;
    }

    /** Once unlisted, the entity never asks to go sooner than the grace after its last message. */
    private void restartIdleClock() {
        if (idle != null) {
            Duration after = idle.passivation().after();
            idle.timers().startSingleTimer(IDLE_TIMER, idle.tick(),
                    unlisted && after.compareTo(IdlePassivation.GRACE) < 0 ? IdlePassivation.GRACE : after);
        }
    }

    @Override
    public final RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
    }

    @Override
    public final SignalHandler<S> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    recovered(state);
                    restartIdleClock();
                })
                .onSignal(PreRestart.instance(), this::stopping)
                .onSignal(PostStop.instance(), this::stopping)
                .build();
    }

    /** The state is recovered: realize it (ports, timers) before the first command. */
    protected abstract void recovered(S state);

    /**
     * The entity restarts (its journal failed) or stops: let go of what a command acquired before its
     * events could be journaled. Nothing by default.
     */
    protected void stopping(S state) {
    }

    protected final ReplyEffect<E, S> reply(ActorRef<EntityReply<A>> replyTo, A answer) {
        return Effect().reply(replyTo, answer);
    }

    protected final ReplyEffect<E, S> refuse(ActorRef<EntityReply<A>> replyTo, NetException error) {
        return Effect().reply(replyTo, new EntityReply.Refused<>(error));
    }

    /** {@code effect}, answered with {@code answer} of the new state once journaled. */
    protected final ReplyEffect<E, S> replyOnceJournaled(EffectBuilder<E, S> effect, ActorRef<EntityReply<A>> replyTo,
                                                        Function<S, A> answer) {
        journaling.journaling(replyTo);
        return effect.thenReply(replyTo, state -> {
            journaling.journaled();
            return answer.apply(state);
        });
    }

    /**
     * {@code effect}, answered with {@code answer} of the new state once journaled; {@code afterward}
     * runs once the answer is sent. The answer's continuations (the directory's, the QMP gateway's)
     * run on the thread that sends it, so on one node the client has the answer before
     * {@code afterward} starts.
     */
    protected final ReplyEffect<E, S> replyOnceJournaled(EffectBuilder<E, S> effect, ActorRef<EntityReply<A>> replyTo,
                                                        Function<S, A> answer, Consumer<S> afterward) {
        journaling.journaling(replyTo);
        return effect.<S>thenRun(state -> {
            journaling.journaled();
            replyTo.tell(answer.apply(state));
            afterward.accept(state);
        }).thenNoReply();
    }
}
