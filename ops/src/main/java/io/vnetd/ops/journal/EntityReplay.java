package io.vnetd.ops.journal;

import io.vnetd.actors.announce.AnnounceEvent;
import io.vnetd.actors.announce.AnnounceState;
import io.vnetd.actors.announce.AnnounceTimerEntity;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.nic.NicEvent;
import io.vnetd.actors.nic.NicState;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * How an entity's state follows from its events: the entity's own pure {@code apply}, from the
 * state it starts with. Replaying a journal through it shows what the entity believed after each
 * event, without starting the entity (no port is opened, no timer runs).
 *
 * @param <S> the entity's state
 * @param <E> its events
 */
record EntityReplay<S, E>(S initial, Class<E> eventType, BiFunction<S, E, S> apply) {

    /** The replay of the entities of type {@code entityType} (the persistence id's prefix), if vnetd has such. */
    static Optional<EntityReplay<?, ?>> of(String entityType) {
        if (entityType.equals(NetdevEntity.TYPE_KEY.name())) {
            return Optional.of(new EntityReplay<NetdevState, NetdevEvent>(
                    new NetdevState.Absent(), NetdevEvent.class, NetdevState::apply));
        }
        if (entityType.equals(NicEntity.TYPE_KEY.name())) {
            return Optional.of(new EntityReplay<NicState, NicEvent>(new NicState.Absent(), NicEvent.class, NicState::apply));
        }
        if (entityType.equals(AnnounceTimerEntity.TYPE_KEY.name())) {
            return Optional.of(new EntityReplay<AnnounceState, AnnounceEvent>(
                    new AnnounceState.Idle(0), AnnounceEvent.class, AnnounceState::apply));
        }
        return Optional.empty();
    }

    /** An entity's state at a moment, and the last event it had seen by then. */
    record At(Object state, JournalEvent last) {
    }

    /** The state after the events that had happened by {@code moment}; empty if none had. */
    Optional<At> at(List<JournalEvent> events, Moment moment) {
        Object state = initial;
        JournalEvent last = null;
        for (JournalEvent event : events) {
            if (!moment.includes(event)) {
                break;
            }
            state = next(state, event.event());
            last = event;
        }
        return last == null ? Optional.empty() : Optional.of(new At(state, last));
    }

    /**
     * The state after {@code event}.
     *
     * @throws IllegalArgumentException if the event is not one of this entity's
     */
    @SuppressWarnings("unchecked")
    S next(Object state, Object event) {
        if (!eventType.isInstance(event)) {
            throw new IllegalArgumentException("not a " + eventType.getSimpleName() + ": " + event);
        }
        return apply.apply((S) state, eventType.cast(event));
    }
}
