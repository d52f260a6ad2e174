package io.vnetd.actors.persistence;

import io.vnetd.model.error.NetErrors;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.JournalProtocol;

/**
 * The command an entity is journaling, answered with the journal's error when the write fails.
 *
 * <p>Pekko meets a failed persist by restarting or stopping the entity: the command's reply is never
 * sent and no signal carries the cause (apache/pekko#1960), so the asker would wait out its time-out
 * and learn nothing. The journal's verdict reaches the entity's actor as a plain message first
 * ({@link JournalProtocol.WriteMessageFailure} or {@link JournalProtocol.WriteMessageRejected}); an
 * interceptor around the entity sees it there and refuses the waiting command with its cause. An
 * entity persists one command at a time (Pekko stashes the others), so one slot is enough.
 *
 * @param <A> the entity's answer to a command it carried out
 */
public final class InFlightReply<A> {

    private ActorRef<EntityReply<A>> waiting;

    private InFlightReply() {
    }

    /**
     * An entity whose journaled commands are refused, not left unanswered, when their write fails.
     *
     * @param entity builds the entity around its slot
     */
    public static <C, A> Behavior<C> refusingOnJournalFailure(Function<InFlightReply<A>, Behavior<C>> entity) {
        return Behaviors.setup(context -> {
            InFlightReply<A> slot = new InFlightReply<>();
            return widen(Behaviors.intercept(() -> slot.new FailureWatch(), widen(entity.apply(slot))));
        });
    }

    /** {@code replyTo} waits for the command being journaled now. */
    void journaling(ActorRef<EntityReply<A>> replyTo) {
        waiting = replyTo;
    }

    /** The command was journaled: its answer is the entity's to send. */
    void journaled() {
        waiting = null;
    }

    private void refuse(Throwable cause) {
        if (waiting != null) {
            waiting.tell(new EntityReply.Refused<>(NetErrors.notJournaled(cause)));
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
