package io.vnetd.actors.cluster;

import io.vnetd.model.port.HubLink;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps this node's {@link HubLink} in step with the cluster: every member's link address (from its
 * roles) as it comes and goes, and the spans of the hubs this node has ports of, from the directory's
 * {@link HubSpans} (published on change, and read again every few seconds so that a node that
 * subscribed late, or missed one, catches up).
 */
public final class HubLinkDriver {

    private static final Duration RESYNC = Duration.ofSeconds(5);

    private sealed interface Message {
    }

    private record Member(ClusterEvent.MemberEvent event) implements Message {
    }

    private record Spans(HubSpans spans) implements Message {
    }

    private record Resync() implements Message {
    }

    /** The directory could not be read this time (it is starting, or moving): the next resync tries again. */
    private record Unread() implements Message {
    }

    private HubLinkDriver() {
    }

    /**
     * Starts the driver of {@code link} on {@code system}, for node {@code self}; {@code current} reads
     * the directory's spans.
     */
    public static void start(ActorSystem<?> system, String self, HubLink link, Supplier<CompletionStage<HubSpans>> current) {
        system.systemActorOf(behavior(self, link, current), "hub-link-driver", Props.empty());
    }

    private static Behavior<Message> behavior(String self, HubLink link, Supplier<CompletionStage<HubSpans>> current) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ActorRef<ClusterEvent.MemberEvent> members = context.messageAdapter(ClusterEvent.MemberEvent.class, Member::new);
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(members, ClusterEvent.MemberEvent.class));
            ActorRef<Topic.Command<HubSpans>> topic = context.spawn(Topic.create(HubSpans.class, HubSpans.TOPIC), "topic");
            topic.tell(Topic.subscribe(context.messageAdapter(HubSpans.class, Spans::new)));
            timers.startTimerWithFixedDelay(new Resync(), Duration.ofMillis(200), RESYNC);
            Map<Integer, Set<String>> spanned = new HashMap<>();
            return Behaviors.receive(Message.class)
                    .onMessage(Member.class, m -> {
                        String name = NodeName.of(m.event().member()).orElse(self);
                        if (!name.equals(self)) {
                            safely(context.getLog(), () -> {
                                if (m.event() instanceof ClusterEvent.MemberRemoved) {
                                    link.removePeer(name);
                                } else {
                                    NodeName.link(m.event().member())
                                            .ifPresent(address -> link.peer(name, address.host(), address.port()));
                                }
                            });
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Spans.class, s -> {
                        safely(context.getLog(), () -> apply(self, link, s.spans(), spanned));
                        return Behaviors.same();
                    })
                    .onMessage(Resync.class, r -> {
                        context.pipeToSelf(current.get(), (spans, failure) -> failure == null ? new Spans(spans) : new Unread());
                        return Behaviors.same();
                    })
                    .onMessage(Unread.class, u -> Behaviors.same())
                    .build();
        }));
    }

    /** A link that refuses a change (no port slot left) is logged; the next resync tries again. */
    private static void safely(org.slf4j.Logger log, Runnable change) {
        try {
            change.run();
        } catch (RuntimeException e) {
            log.warn("the cluster link refused a change: {}", e.getMessage());
        }
    }

    /** Tells the link what changed for the hubs this node has ports of. */
    private static void apply(String self, HubLink link, HubSpans spans, Map<Integer, Set<String>> spanned) {
        Map<Integer, Set<String>> wanted = new HashMap<>();
        spans.nodesByHub().forEach((hub, nodes) -> {
            if (nodes.contains(self)) {
                Set<String> others = new HashSet<>(nodes);
                others.remove(self);
                wanted.put(hub, Set.copyOf(others));
            }
        });
        for (Integer hub : Set.copyOf(spanned.keySet())) {
            if (!wanted.containsKey(hub)) {
                link.span(hub, Set.of());
                spanned.remove(hub);
            }
        }
        wanted.forEach((hub, others) -> {
            if (!others.equals(spanned.get(hub))) {
                link.span(hub, others);
                spanned.put(hub, others);
            }
        });
    }
}
