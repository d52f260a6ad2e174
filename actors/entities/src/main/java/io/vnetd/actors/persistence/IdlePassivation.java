package io.vnetd.actors.persistence;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * When an idle entity leaves memory. A single node's netdevs and NICs need not stay: the data plane
 * keeps their ports (an entity that stops with a port leaves it open), and an entity recovers from the
 * journal when a request comes for it. After {@code after} without a message, {@code unlist} gets the
 * entity's ref: from then on nobody sends to that ref directly, only through the entity's shard. After
 * {@link #GRACE} more, {@code passivate} asks the shard to passivate it: a message sent directly by
 * someone who found the ref before it was unlisted is in its mailbox by then, ahead of the shard's stop;
 * the shard holds whatever comes later and starts the entity again for it.
 */
public record IdlePassivation<C>(Duration after, Consumer<ActorRef<C>> unlist, Consumer<ActorRef<C>> passivate) {

    /** Between unlisting and passivating: far longer than a lookup and a send take. */
    public static final Duration GRACE = Duration.ofSeconds(1);

    /** An entity that stays until its node stops (or, in a cluster, its shard moves). */
    public static <C> IdlePassivation<C> never() {
        return new IdlePassivation<>(Duration.ZERO, self -> {
        }, self -> {
        });
    }

    public boolean enabled() {
        return after.isPositive();
    }
}
