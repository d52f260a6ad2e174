package io.vnetd.actors.directory;

import io.vnetd.actors.cluster.NodeName;
import io.vnetd.actors.cluster.PlacedId;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.persistence.IdlePassivation;
import io.vnetd.model.port.PortControl;
import io.vnetd.model.service.NetEventPublisher;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The sharded entities that own a node's resources, kept on that node. Netdevs hold its sockets and
 * taps, NICs pass frames to their netdevs in its data plane: in a cluster each node's netdevs, NICs
 * and {@link PortReader} are entity types of their own, restricted to that node's role, so Cluster
 * Sharding itself keeps them there (and brings them back there when the node returns). A single node
 * keeps the plain entity types it has always had.
 *
 * <p>A single node's netdevs and NICs leave memory when idle ({@link IdlePassivation}): its directory
 * realized their ports at start and the data plane keeps them. A cluster's stay: its directory relies
 * on remembered entities to restart them where their node's resources are.
 */
final class NodeShards {

    private record Types(EntityTypeKey<NetdevCommand> netdevs, EntityTypeKey<NicCommand> nics,
                         EntityTypeKey<PortReader.Command> ports) {
    }

    private final ClusterSharding sharding;
    private final ClusterShardingSettings resident;
    private final boolean clustered;
    /** How long a single node's entity may be idle before it leaves memory; zero keeps it. */
    private final Duration passivateAfter;
    private final PortControl ports;
    private final NetEventPublisher events;
    private final LocalRefs<NetdevCommand> localNetdevs = new LocalRefs<>();
    private final LocalRefs<NicCommand> localNics = new LocalRefs<>();
    private final Map<String, Types> byNode = new ConcurrentHashMap<>();
    /** The key under which the types of the clients that may move are kept. */
    private static final String MOVABLE = "*";

    NodeShards(ClusterSharding sharding, ClusterShardingSettings resident, boolean clustered, Duration passivateAfter,
               PortControl ports, NetEventPublisher events) {
        this.sharding = sharding;
        this.resident = resident;
        this.clustered = clustered;
        this.passivateAfter = clustered ? Duration.ZERO : passivateAfter;
        this.ports = ports;
        this.events = events;
    }

    RecipientRef<NetdevCommand> netdev(Placements.Placement placement) {
        return localNetdevs.find(placement.entityId(), id -> sharding.entityRefFor(types(placement.node()).netdevs(), id));
    }

    RecipientRef<NicCommand> nic(Placements.Placement placement) {
        return localNics.find(placement.entityId(), id -> sharding.entityRefFor(types(placement.node()).nics(), id));
    }

    /** The port reader of {@code node} (in a cluster). */
    RecipientRef<PortReader.Command> portReader(String node) {
        return sharding.entityRefFor(types(node).ports(), PortReader.ID);
    }

    /**
     * Starts the entity types of {@code node}: hosted here if it is this node, reached by proxy
     * otherwise; those of the clients that may move are hosted on every node.
     */
    private Types types(String node) {
        return PlacedId.movable(node) ? byNode.computeIfAbsent(MOVABLE, name -> initMovable())
                : byNode.computeIfAbsent(node, this::init);
    }

    /**
     * The clients that may move share the plain entity types, on every node, and a group's clients
     * share a shard (a NIC and its hubport pass frames to each other directly), so they move together.
     */
    private Types initMovable() {
        int shards = resident.numberOfShards();
        Types types = new Types(NetdevEntity.TYPE_KEY, NicEntity.TYPE_KEY, null);
        sharding.init(Entity.of(types.netdevs(), context -> localNetdevs.listed(context.getEntityId(),
                        NetdevEntity.create(context.getEntityId(), ports, passivation(context, localNetdevs))))
                .withMessageExtractor(NodeShards.<NetdevCommand>byGroup(shards))
                .withSettings(resident));
        sharding.init(Entity.of(types.nics(), context -> localNics.listed(context.getEntityId(),
                        NicEntity.create(context.getEntityId(), ports, events, passivation(context, localNics))))
                .withMessageExtractor(NodeShards.<NicCommand>byGroup(shards))
                .withSettings(resident));
        return types;
    }

    private static <M> ShardingMessageExtractor<ShardingEnvelope<M>, M> byGroup(int shards) {
        return new ShardingMessageExtractor<>() {
            @Override
            public String entityId(ShardingEnvelope<M> envelope) {
                return envelope.entityId();
            }

            @Override
            public String shardId(String entityId) {
                return Integer.toString(Math.floorMod(PlacedId.group(entityId).hashCode(), shards));
            }

            @Override
            public M unwrapMessage(ShardingEnvelope<M> envelope) {
                return envelope.message();
            }
        };
    }

    /**
     * How the entity of {@code context} leaves memory: unlisted first, so that what the directory sends
     * next goes through the shard, which holds it while the entity stops and then starts it again.
     */
    private <C> IdlePassivation<C> passivation(EntityContext<C> context, LocalRefs<C> local) {
        if (passivateAfter.isZero()) {
            return IdlePassivation.never();
        }
        String id = context.getEntityId();
        return new IdlePassivation<>(passivateAfter, self -> local.unlist(id, self),
                self -> context.getShard().tell(new ClusterSharding.Passivate<>(self)));
    }

    /** Starts this node's own entity types, so that its entities recover here before anyone asks. */
    void host(String self) {
        types(self);
    }

    private Types init(String node) {
        Types types = clustered
                ? new Types(EntityTypeKey.create(NetdevCommand.class, NetdevEntity.TYPE_KEY.name() + "-" + node),
                        EntityTypeKey.create(NicCommand.class, NicEntity.TYPE_KEY.name() + "-" + node),
                        EntityTypeKey.create(PortReader.Command.class, "Ports-" + node))
                : new Types(NetdevEntity.TYPE_KEY, NicEntity.TYPE_KEY, EntityTypeKey.create(PortReader.Command.class, "Ports"));
        ClusterShardingSettings settings = clustered ? resident.withRole(NodeName.role(node)) : resident;
        sharding.init(Entity.of(types.netdevs(), context -> localNetdevs.listed(context.getEntityId(),
                        NetdevEntity.create(context.getEntityId(), ports, passivation(context, localNetdevs))))
                .withSettings(settings));
        sharding.init(Entity.of(types.nics(), context -> localNics.listed(context.getEntityId(),
                        NicEntity.create(context.getEntityId(), ports, events, passivation(context, localNics))))
                .withSettings(settings));
        sharding.init(Entity.of(types.ports(), context -> PortReader.create(ports)).withSettings(settings));
        return types;
    }
}
