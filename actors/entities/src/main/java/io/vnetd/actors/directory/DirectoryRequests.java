package io.vnetd.actors.directory;

import io.vnetd.actors.cluster.ClusterMembers;
import io.vnetd.actors.cluster.NodeName;
import io.vnetd.model.error.NetErrors;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The directory requests this node has sent and not yet heard back from. When the directory's node
 * (the oldest) becomes unreachable, their answers may never come: each fails at once, saying that
 * the command may or may not have been applied, instead of when its ask times out.
 */
final class DirectoryRequests {

    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();

    private DirectoryRequests() {
    }

    static DirectoryRequests start(ActorSystem<?> system) {
        DirectoryRequests requests = new DirectoryRequests();
        ActorRef<ClusterEvent.UnreachableMember> watcher = system.systemActorOf(
                Behaviors.receiveMessage(unreachable -> {
                    Optional<String> lost = NodeName.of(unreachable.member());
                    if (lost.isPresent() && ClusterMembers.of(system).oldest()
                            .map(oldest -> oldest.name().equals(lost.get())).orElse(false)) {
                        requests.failAll(lost.get());
                    }
                    return Behaviors.same();
                }), "directory-requests", Props.empty());
        Cluster.get(system).subscriptions().tell(Subscribe.create(watcher, ClusterEvent.UnreachableMember.class));
        return requests;
    }

    <T> CompletionStage<T> track(CompletionStage<T> asked) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        pending.add(answer);
        asked.whenComplete((value, failure) -> {
            if (failure == null) {
                answer.complete(value);
            } else {
                answer.completeExceptionally(failure);
            }
        });
        answer.whenComplete((value, failure) -> pending.remove(answer));
        return answer;
    }

    private void failAll(String node) {
        for (CompletableFuture<?> answer : pending) {
            answer.completeExceptionally(NetErrors.directoryLost(node));
        }
    }
}
