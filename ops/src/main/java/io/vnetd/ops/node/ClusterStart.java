package io.vnetd.ops.node;

import io.vnetd.actors.cluster.ClusterMembers;
import io.vnetd.journal.postgres.PostgresDatabase;
import io.vnetd.journal.postgres.PostgresSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The checks and the join that make a node a member: the shared journal must be reachable and set up,
 * the node must not have a single node's journal of its own, and once up its name and the seeds'
 * names must be what the membership says.
 */
final class ClusterStart {

    private ClusterStart() {
    }

    /**
     * @throws StartupException when the data directory holds an LMDB journal, or the shared journal
     *                          cannot be reached or has no tables
     */
    static void checkJournal(ClusterSettings cluster, DataDirectory data) {
        if (holdsFiles(data.journal())) {
            throw new StartupException("data directory '" + data.root() + "' holds a single node's LMDB journal; a cluster"
                    + " node keeps its journal in PostgreSQL: copy it with 'vnetd journal copy --from " + data.root()
                    + " --to " + cluster.journal().orElseThrow() + "', then move it away");
        }
        PostgresDatabase database = cluster.journal().orElseThrow();
        try (Connection connection = database.connect()) {
            if (!PostgresSchema.exists(connection)) {
                throw new StartupException("journal " + database + " has no vnetd tables: create them with"
                        + " 'vnetd journal init-postgres --journal " + database + "'");
            }
        } catch (SQLException e) {
            throw new StartupException("journal " + database + " is unreachable: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
    }

    private static boolean holdsFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            throw new StartupException("cannot read '" + dir + "': " + e.getMessage());
        }
    }

    /**
     * Joins the seed nodes (a single node joins itself) and waits to be up; then checks that no other
     * member carries this node's name and that each seed that is up is the node its entry names.
     *
     * @throws StartupException when the node is not up in time, or a name does not match
     */
    static void join(ActorSystem<Void> system, ClusterSettings settings, Duration timeout) {
        Cluster cluster = Cluster.get(system);
        CompletableFuture<Void> up = new CompletableFuture<>();
        ActorRef<SelfUp> listener = system.systemActorOf(Behaviors.receiveMessage(selfUp -> {
            up.complete(null);
            return Behaviors.stopped();
        }), "self-up-listener", Props.empty());
        cluster.subscriptions().tell(Subscribe.create(listener, SelfUp.class));
        if (!settings.clustered()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        VnetdNode.await(up, timeout, settings.clustered()
                ? "joining the cluster (seed nodes " + settings.seeds() + ")"
                : "joining the cluster");
        if (settings.clustered()) {
            checkNames(system, settings);
        }
    }

    private static void checkNames(ActorSystem<Void> system, ClusterSettings settings) {
        String selfAddress = Cluster.get(system).selfMember().address().toString();
        for (ClusterMembers.Node node : ClusterMembers.of(system).nodes()) {
            if (node.name().equals(settings.node()) && !node.address().equals(selfAddress)) {
                throw new StartupException("vnetd node name '" + settings.node() + "' is in use by the member at "
                        + node.address());
            }
            Optional<ClusterSettings.SeedNode> seed = settings.seeds().stream()
                    .filter(s -> s.address().equals(node.address())).findFirst();
            if (seed.isPresent() && !seed.get().name().equals(node.name())) {
                throw new StartupException("vnetd.cluster.seed-nodes: " + seed.get() + " is the node named '"
                        + node.name() + "'");
            }
        }
    }
}
