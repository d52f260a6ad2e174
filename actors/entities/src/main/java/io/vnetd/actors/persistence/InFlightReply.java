package io.vnetd.actors.persistence;

import io.vnetd.model.error.NetException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The command an entity is journaling, answered with the journal's error when the write fails.
 *
 * <p>Pekko meets a failed persist by restarting or stopping the entity: the command's reply is never
 * sent and no signal carries the cause (apache/pekko#1960), so the asker would wait out its time-out
 * and learn nothing. The journal's verdict reaches the entity's actor as a plain message first
 * ({@link JournalProtocol.WriteMessageFailure} or {@link JournalProtocol.WriteMessageRejected}); an
 * interceptor around the entity sees it there and refuses the waiting command with its cause. An
 * entity persists one command at a time (Pekko stashes the others), so one slot is enough.
 */
public final class InFlightReply<R> {

    private final Function<NetException, R> refusal;
    private ActorRef<R> waiting;

    private InFlightReply(Function<NetException, R> refusal) {
        this.refusal = refusal;
    }

    /**
     * An entity whose journaled commands are refused, not left unanswered, when their write fails.
     *
     * @param refusal the entity's reply for a refused command
     * @param entity  builds the entity around its slot
     */
    public static <C, R> Behavior<C> refusingOnJournalFailure(Function<NetException, R> refusal,
                                                              Function<InFlightReply<R>, Behavior<C>> entity) {
        return Behaviors.setup(context -> {
            InFlightReply<R> slot = new InFlightReply<>(refusal);
            return widen(Behaviors.intercept(() -> slot.new FailureWatch(), widen(entity.apply(slot))));
        });
    }

    /** Replies {@code reply} once the effect's events are journaled, or the journal's error if they cannot be. */
    public <E, S> ReplyEffect<E, S> thenReply(EffectBuilder<E, S> effect, ActorRef<R> replyTo, Function<S, R> reply) {
        waiting = replyTo;
        return effect.thenReply(replyTo, state -> {
            waiting = null;
            return reply.apply(state);
        });
    }

    private void refuse(Throwable cause) {
        if (waiting != null) {
            String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
            waiting.tell(refusal.apply(NetException.generic("vnetd could not journal the change: " + why)));
            waiting = null;
        }
    }

    // The journal's messages are not of the entity's command type: the interceptor sees every message.
    @SuppressWarnings("unchecked")
    private static <T> Behavior<T> widen(Behavior<?> behavior) {
        return (Behavior<T>) behavior;
    }

    private final class FailureWatch extends BehaviorInterceptor<Object, Object> {

        FailureWatch() {
            super(Object.class);
        }

        @Override
        public Behavior<Object> aroundReceive(TypedActorContext<Object> context, Object message,
                                              ReceiveTarget<Object> target) {
            switch (message) {
                case JournalProtocol.WriteMessageFailure failure -> refuse(failure.cause());
                case JournalProtocol.WriteMessageRejected rejected -> refuse(rejected.cause());
                default -> {
                }
            }
            return target.apply(context, message);
        }
    }
}
