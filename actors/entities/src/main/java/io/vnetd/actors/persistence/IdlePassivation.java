package io.vnetd.actors.persistence;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * When an idle entity leaves memory. A single node's netdevs and NICs need not stay: the data plane
 * keeps their ports (an entity that stops with a port leaves it open), and an entity recovers from the
 * journal when a request comes for it. After {@code after} without a message, {@code stop} gets the
 * entity's ref: it stops sending to that ref directly and asks the entity's shard to passivate it; the
 * shard holds whatever comes meanwhile and starts the entity again for it.
 */
public record IdlePassivation<C>(Duration after, Consumer<ActorRef<C>> stop) {

    /** An entity that stays until its node stops (or, in a cluster, its shard moves). */
    public static <C> IdlePassivation<C> never() {
        return new IdlePassivation<>(Duration.ZERO, self -> {
        });
    }

    public boolean enabled() {
        return after.isPositive();
    }
}
