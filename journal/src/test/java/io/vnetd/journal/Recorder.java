package io.vnetd.journal;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/** A test entity that records String events; its state is the events joined by commas. */
final class Recorder extends EventSourcedBehavior<Recorder.Command, String, String> {

    sealed interface Command {}

    record Add(String event, ActorRef<Done> replyTo) implements Command {}

    record Get(ActorRef<String> replyTo) implements Command {}

    private final int snapshotEvery;
    private final ActorRef<Throwable> recoveryFailures;

    /** Snapshots every {@code snapshotEvery} events, keeping two (none if 0); tells recovery failures to {@code recoveryFailures}. */
    Recorder(String persistenceId, int snapshotEvery, ActorRef<Throwable> recoveryFailures) {
        super(PersistenceId.ofUniqueId(persistenceId));
        this.snapshotEvery = snapshotEvery;
        this.recoveryFailures = recoveryFailures;
    }

    @Override
    public String emptyState() {
        return "";
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Add.class, (state, add) -> Effect().persist(add.event())
                        .thenReply(add.replyTo(), s -> Done.getInstance()))
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
                .build();
    }

    @Override
    public EventHandler<String, String> eventHandler() {
        return (state, event) -> state.isEmpty() ? event : state + "," + event;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return snapshotEvery > 0 ? RetentionCriteria.snapshotEvery(snapshotEvery, 2) : RetentionCriteria.disabled();
    }

    @Override
    public SignalHandler<String> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryFailed.class, (state, failed) -> recoveryFailures.tell(failed.getFailure()))
                .build();
    }
}
