package io.vnetd.actors.directory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Asks whose continuations run on the thread that delivers the reply. Pekko's Java ask returns a
 * stage converted from a Scala future, on which every non-async continuation ({@code thenApply},
 * {@code thenCompose}, ...) is made async on {@code ForkJoinPool.commonPool()}: one more thread
 * hand-off, and a wake-up of a parked pool thread, per ask. The continuations here are short and
 * never block (they build a message or tell an actor), so they can run where the reply arrives.
 */
final class Asks {

    private Asks() {
    }

    static <Req, Res> CompletableFuture<Res> ask(RecipientRef<Req> target, Function<ActorRef<Res>, Req> message,
                                                 Duration timeout, Scheduler scheduler) {
        return onReplyThread(AskPattern.ask(target, message::apply, timeout, scheduler));
    }

    /** A plain future completed, on the completing thread, as {@code stage} completes. */
    static <T> CompletableFuture<T> onReplyThread(CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        // An explicit executor is the one way around the conversion's forced async.
        stage.whenCompleteAsync((value, failure) -> {
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        }, Runnable::run);
        return result;
    }
}
