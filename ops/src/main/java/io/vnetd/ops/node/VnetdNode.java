package io.vnetd.ops.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vnetd.actors.directory.ControlPlane;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * One vnetd node: the actor system (a cluster member that joins itself when it is alone), the data
 * plane, the control plane and the QMP server, started in that order and closed in reverse.
 */
public final class VnetdNode implements AutoCloseable {

    private final ActorSystem<Void> system;
    private final ControlPlane controlPlane;

    private VnetdNode(ActorSystem<Void> system, ControlPlane controlPlane) {
        this.system = system;
        this.controlPlane = controlPlane;
    }

    /** Loads the configuration: overrides, then the user's file, then every module's reference.conf. */
    public static Config loadConfig(Config overrides, Config userFile, DataDirectory data) {
        Config dataKeys = ConfigFactory.empty()
                .withValue("vnetd.data-dir", ConfigValueFactory.fromAnyRef(data.root().toString()))
                .withValue("vnetd.lmdb.dir", ConfigValueFactory.fromAnyRef(data.journal().toString()));
        return ConfigFactory.defaultOverrides()
                .withFallback(overrides)
                .withFallback(dataKeys)
                .withFallback(userFile)
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    public static VnetdNode start(Config config) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "vnetd", config);
        try {
            joinSelf(system, config.getDuration("vnetd.startup-timeout"));
            ControlPlane controlPlane = ControlPlane.start(system, null);
            return new VnetdNode(system, controlPlane);
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    /** A node with no seed nodes configured is a cluster of one: it joins itself and waits to be Up. */
    private static void joinSelf(ActorSystem<Void> system, Duration timeout) {
        Cluster cluster = Cluster.get(system);
        CompletableFuture<Void> up = new CompletableFuture<>();
        ActorRef<SelfUp> listener = system.systemActorOf(Behaviors.receiveMessage(selfUp -> {
            up.complete(null);
            return Behaviors.stopped();
        }), "self-up-listener", org.apache.pekko.actor.typed.Props.empty());
        cluster.subscriptions().tell(Subscribe.create(listener, SelfUp.class));
        if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        try {
            up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StartupException("the node did not join its cluster within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while joining the cluster");
        } catch (ExecutionException e) {
            throw new StartupException("could not join the cluster: " + e.getCause().getMessage());
        }
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("actor system did not terminate", e);
        }
    }
}
