package io.vnetd.actors.events;

import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetEventPublisher;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * QMP events on a Pekko topic: whoever publishes on any node (an entity, a backend's I/O agent), every
 * subscriber on every node hears it. Publishing never blocks.
 */
public final class NetEventBus implements NetEventPublisher {

    private final ActorSystem<?> system;
    private final ActorRef<Topic.Command<NetEvent>> topic;
    private final AtomicLong listeners = new AtomicLong();

    private NetEventBus(ActorSystem<?> system, ActorRef<Topic.Command<NetEvent>> topic) {
        this.system = system;
        this.topic = topic;
    }

    public static NetEventBus start(ActorSystem<?> system) {
        return new NetEventBus(system, system.systemActorOf(
                Topic.create(NetEvent.class, "vnetd-events"), "vnetd-events", Props.empty()));
    }

    @Override
    public void publish(NetEvent event) {
        topic.tell(Topic.publish(event));
    }

    /** Registers a listener, called on an actor's thread for each event; it must not block. */
    public void subscribe(Consumer<NetEvent> listener) {
        system.systemActorOf(Behaviors.<NetEvent>setup(context -> {
            topic.tell(Topic.subscribe(context.getSelf()));
            return Behaviors.receiveMessage(event -> {
                listener.accept(event);
                return Behaviors.same();
            });
        }), "event-listener-" + listeners.incrementAndGet(), Props.empty());
    }
}
