package io.vnetd.actors.announce;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.announce.AnnounceParameters;

/**
 * An announce timer: idle, or running with the rounds left and when the next is due. The
 * generation counts starts, so that a round scheduled by a replaced timer is recognised and dropped.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "state")
@JsonSubTypes({
    @JsonSubTypes.Type(value = AnnounceState.Idle.class, name = "idle"),
    @JsonSubTypes.Type(value = AnnounceState.Running.class, name = "running")
})
public sealed interface AnnounceState extends JsonSerializable {

    long generation();

    default AnnounceState apply(AnnounceEvent event) {
        return switch (event) {
            case AnnounceEvent.Started(var params, var at) -> new Running(generation() + 1, params, params.rounds(), at);
            case AnnounceEvent.Cancelled c -> new Idle(generation());
            case AnnounceEvent.RoundSent(var at) -> switch (this) {
                case Idle idle -> idle;
                case Running running -> running.afterRound(at);
            };
        };
    }

    record Idle(long generation) implements AnnounceState {
    }

    /**
     * @param remaining rounds not yet sent
     * @param nextDue   when the next round is due (epoch ms)
     */
    record Running(long generation, AnnounceParameters params, long remaining, long nextDue) implements AnnounceState {

        AnnounceState afterRound(long at) {
            long left = remaining - 1;
            if (left == 0) {
                return new Idle(generation);
            }
            long delay = params.delayBefore(left);
            long due = at > Long.MAX_VALUE - delay ? Long.MAX_VALUE : at + delay;
            return new Running(generation, params, left, due);
        }
    }
}
