package io.vnetd.actors.persistence;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.NetException;

/**
 * An entity's answer to a command: what it did, once journaled, or why it refused. A refusal carries
 * the {@link NetException} as the entity raised it, and the directory and the QMP gateway pass that
 * on unchanged.
 *
 * @param <A> the entity's answer to a command it carried out
 */
public sealed interface EntityReply<A> extends JsonSerializable {

    /** The answer to a command carried out; a refusal throws its error. */
    A orThrow();

    /** The answer to a command carried out: each entity has its own. */
    non-sealed interface Accepted<A extends Accepted<A>> extends EntityReply<A> {
        @Override
        @SuppressWarnings("unchecked")
        default A orThrow() {
            return (A) this;
        }
    }

    record Refused<A>(NetException error) implements EntityReply<A> {
        @Override
        public A orThrow() {
            throw error;
        }
    }
}
