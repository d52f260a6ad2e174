package io.vnetd.actors.directory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorSignalInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The actors of one kind that run in this JVM, by id, so that a message to one of them goes straight
 * to it instead of through the actors that would only forward it: Cluster Sharding's region and shard
 * for an entity, the singleton's proxy for the directory. Each of those is a mailbox and a thread
 * hand-off per message. An actor on another node, or not started yet, is reached the routed way.
 *
 * <p>An actor leaves the map when it stops, and before that a while before it asks to be passivated
 * ({@link #unlist}, {@link io.vnetd.actors.persistence.IdlePassivation}): from then on messages go the
 * routed way, through its shard, which holds them while the actor stops and starts it again for them.
 * A message sent directly by a caller that found the actor just before it was unlisted reaches its
 * mailbox within that while, ahead of the shard's stop.
 */
final class LocalRefs<C> {

    private final Map<String, ActorRef<C>> running = new ConcurrentHashMap<>();

    /** {@code behavior}, listed under {@code id} from its start until it stops. */
    Behavior<C> listed(String id, Behavior<C> behavior) {
        return Behaviors.intercept(() -> new BehaviorSignalInterceptor<C>() {
            @Override
            public Behavior<C> aroundStart(TypedActorContext<C> context, PreStartTarget<C> target) {
                running.put(id, context.asJava().getSelf());
                return target.start(context);
            }

            @Override
            public Behavior<C> aroundSignal(TypedActorContext<C> context, Signal signal, SignalTarget<C> target) {
                if (signal instanceof PostStop) {
                    running.remove(id, context.asJava().getSelf());
                }
                return target.apply(context, signal);
            }
        }, behavior);
    }

    /** Stops listing {@code actor} under {@code id} (nothing if another is listed there now). */
    void unlist(String id, ActorRef<C> actor) {
        running.remove(id, actor);
    }

    /** The actor listed under {@code id}, or else {@code routed}'s ref for it. */
    RecipientRef<C> find(String id, Function<String, ? extends RecipientRef<C>> routed) {
        ActorRef<C> local = running.get(id);
        return local != null ? local : routed.apply(id);
    }
}
