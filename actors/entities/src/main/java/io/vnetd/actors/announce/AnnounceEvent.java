package io.vnetd.actors.announce;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.announce.AnnounceParameters;

/** What happened to an announce timer, with wall-clock times so a restart resumes the schedule. */
public sealed interface AnnounceEvent extends JsonSerializable {

    /** {@code announce-self} (re)started the timer; round 1 is due at {@code at}. */
    record Started(AnnounceParameters params, long at) implements AnnounceEvent {
    }

    /** A round's frames were handed to the data plane at {@code at} (epoch ms). */
    record RoundSent(long at) implements AnnounceEvent {
    }

    /** {@code rounds: 0} cancelled the timer. */
    record Cancelled() implements AnnounceEvent {
    }
}
