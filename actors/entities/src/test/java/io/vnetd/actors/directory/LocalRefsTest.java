package io.vnetd.actors.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class LocalRefsTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** Answers {@code "name: text"} and stops on "stop". */
    private static Behavior<Echo> echo(String name) {
        return Behaviors.receiveMessage(message -> {
            message.replyTo().tell(name + ": " + message.text());
            return message.text().equals("stop") ? Behaviors.stopped() : Behaviors.same();
        });
    }

    private record Echo(String text, ActorRef<String> replyTo) {
    }

    @Test
    void aStartedActorIsFoundDirectlyAndTheRoutedWayOnceItHasStopped() throws InterruptedException {
        LocalRefs<Echo> local = new LocalRefs<>();
        ActorRef<Echo> routed = testKit.createTestProbe(Echo.class).ref();
        TestProbe<String> replies = testKit.createTestProbe();

        assertSame(routed, local.find("e1", id -> routed));

        ActorRef<Echo> e1 = testKit.spawn(local.listed("e1", echo("e1")));
        RecipientRef<Echo> found = findWhen(local, "e1", routed, ref -> ref != routed);
        assertEquals(e1, found);
        found.tell(new Echo("stop", replies.ref()));
        replies.expectMessage("e1: stop");

        testKit.createTestProbe().expectTerminated(e1, Duration.ofSeconds(5));
        assertSame(routed, findWhen(local, "e1", routed, ref -> ref == routed));
    }

    /** What {@code find} returns once {@code until} holds for it (listing is done on the actor's thread). */
    private static RecipientRef<Echo> findWhen(LocalRefs<Echo> local, String id, ActorRef<Echo> routed,
                                               Predicate<RecipientRef<Echo>> until) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        RecipientRef<Echo> found = local.find(id, x -> routed);
        while (!until.test(found) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            found = local.find(id, x -> routed);
        }
        return found;
    }
}
