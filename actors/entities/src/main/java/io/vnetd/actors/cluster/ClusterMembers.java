package io.vnetd.actors.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** The cluster's vnetd nodes as this node sees them now. */
public final class ClusterMembers {

    /**
     * One member.
     *
     * @param status    Pekko's member status, in lower case ({@code up}, {@code leaving}, ...)
     * @param reachable whether this node's failure detector hears from it
     */
    public record Node(String name, String address, String status, List<String> roles, boolean reachable) {
    }

    private final ClusterEvent.CurrentClusterState state;

    private ClusterMembers(ClusterEvent.CurrentClusterState state) {
        this.state = state;
    }

    public static ClusterMembers of(ActorSystem<?> system) {
        return new ClusterMembers(Cluster.get(system).state());
    }

    /** Every vnetd node, in name order. */
    public List<Node> nodes() {
        Set<Member> unreachable = state.getUnreachable();
        List<Node> nodes = new ArrayList<>();
        for (Member member : state.getMembers()) {
            if (NodeName.of(member).isPresent()) {
                nodes.add(node(member, unreachable));
            }
        }
        nodes.sort(Comparator.comparing(Node::name));
        return nodes;
    }

    /**
     * The oldest vnetd node that has not been removed: where cluster singletons (the directory) run,
     * or will run again once an unreachable oldest is removed.
     */
    public Optional<Node> oldest() {
        Set<Member> unreachable = state.getUnreachable();
        Member oldest = null;
        for (Member member : state.getMembers()) {
            if (NodeName.of(member).isPresent() && member.status() != MemberStatus.joining()
                    && member.status() != MemberStatus.weaklyUp() && (oldest == null || member.isOlderThan(oldest))) {
                oldest = member;
            }
        }
        return Optional.ofNullable(oldest).map(member -> node(member, unreachable));
    }

    /** The names of the nodes that are up (new netdevs may go there). */
    public Set<String> names() {
        return StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(ClusterMembers::serving)
                .flatMap(member -> NodeName.of(member).stream())
                .collect(Collectors.toSet());
    }

    /**
     * Whether {@code node} is up and reachable from here. Asked for every command on a node's clients and
     * every frame an announce timer sends to another node, so it reads the membership without copying it.
     */
    public boolean reachable(String node) {
        Set<Member> unreachable = state.getUnreachable();
        for (Member member : state.getMembers()) {
            if (serving(member) && !unreachable.contains(member) && NodeName.of(member).filter(node::equals).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private static boolean serving(Member member) {
        return member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp();
    }

    private static Node node(Member member, Set<Member> unreachable) {
        return new Node(NodeName.of(member).orElseThrow(), member.address().toString(),
                member.status().toString().toLowerCase(Locale.ROOT), member.getRoles().stream().sorted().toList(),
                !unreachable.contains(member));
    }
}
