package io.vnetd.ops.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vnetd.actors.cluster.NodeName;
import io.vnetd.journal.postgres.PostgresDatabase;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code vnetd.cluster} block: whether this node is one of several, and if so its name, its
 * remoting address, the seed nodes it joins and the shared journal. A node without seed nodes is a
 * cluster of one on its own LMDB journal, as before.
 *
 * @param node        this node's name, unique in the cluster
 * @param host        the address other nodes reach this one at (Pekko remoting)
 * @param port        the remoting port; 0 (single node only) lets the kernel choose
 * @param seeds       the nodes to join, in order; empty for a single node
 * @param journal     the shared PostgreSQL journal; empty for a single node
 * @param stableAfter how long membership must be stable before the split-brain resolver downs nodes
 * @param linkPort    the UDP port of this node's data-plane link (hubs that span nodes); 0 for a single node
 */
public record ClusterSettings(String node, String host, int port, List<SeedNode> seeds,
                              Optional<PostgresDatabase> journal, Duration stableAfter, int linkPort) {

    /** The Pekko actor system's name: part of every member's address, so the same on every node. */
    public static final String SYSTEM_NAME = "vnetd";

    /** A seed node: its name and the remoting address it listens on. */
    public record SeedNode(String name, String host, int port) {

        /**
         * Reads {@code NAME@HOST:PORT}.
         *
         * @throws StartupException naming what is wrong
         */
        static SeedNode parse(String spec) {
            int at = spec.indexOf('@');
            int colon = spec.lastIndexOf(':');
            if (at <= 0 || colon < at + 2 || colon == spec.length() - 1) {
                throw new StartupException("vnetd.cluster.seed-nodes: '" + spec + "' is not NAME@HOST:PORT");
            }
            String name = spec.substring(0, at);
            String host = spec.substring(at + 1, colon);
            checkName("vnetd.cluster.seed-nodes: '" + spec + "'", name);
            int port = ClusterSettings.port("vnetd.cluster.seed-nodes: '" + spec + "'", spec.substring(colon + 1));
            if (port == 0) {
                throw new StartupException("vnetd.cluster.seed-nodes: '" + spec + "' needs a port other than 0");
            }
            return new SeedNode(name, host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host,
                    port);
        }

        /** The member address Pekko gives this node. */
        public String address() {
            return "pekko://" + SYSTEM_NAME + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return name + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public boolean clustered() {
        return !seeds.isEmpty();
    }

    /**
     * Reads and checks the block.
     *
     * @throws StartupException with one line saying what is wrong: a malformed or unknown seed, a node
     *                          name used twice, a cluster without a journal
     */
    public static ClusterSettings from(Config config) {
        Config block = config.getConfig("vnetd.cluster");
        try {
            String node = block.getString("node-name");
            checkName("vnetd.cluster.node-name", node);
            String host = block.getString("host");
            int port = port("vnetd.cluster.port", block.getString("port"));
            List<SeedNode> seeds = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (String spec : block.getStringList("seed-nodes")) {
                SeedNode seed = SeedNode.parse(spec);
                if (!names.add(seed.name())) {
                    throw new StartupException("vnetd.cluster.seed-nodes: node name '" + seed.name() + "' is used twice");
                }
                if (seed.host().equals(host) && seed.port() == port && !seed.name().equals(node)) {
                    throw new StartupException("vnetd.cluster.seed-nodes: " + seed + " is this node's address, but this node is '"
                            + node + "'");
                }
                if (seed.name().equals(node) && !(seed.host().equals(host) && seed.port() == port)) {
                    throw new StartupException("vnetd.cluster.seed-nodes: " + seed + " names this node ('" + node
                            + "') at another address than vnetd.cluster.host and port (" + host + ":" + port + ")");
                }
                resolvable(seed);
                seeds.add(seed);
            }
            Duration stableAfter = block.getDuration("stable-after");
            if (seeds.isEmpty()) {
                return new ClusterSettings(node, host, port, List.of(), Optional.empty(), stableAfter, 0);
            }
            if (port == 0) {
                throw new StartupException("vnetd.cluster.port: a cluster node needs a fixed port (0 lets the kernel choose)");
            }
            String journal = block.getString("journal");
            if (journal.isEmpty()) {
                throw new StartupException("vnetd.cluster.journal: a cluster node needs the shared journal "
                        + "(postgres://USER@HOST:PORT/DATABASE)");
            }
            String passwordFile = block.getString("journal-password-file");
            PostgresDatabase database = PostgresDatabase.parse(journal,
                    passwordFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(passwordFile)));
            int linkPort = port("vnetd.cluster.link-port", block.getString("link-port"));
            if (linkPort == 0) {
                if (port == 65535) {
                    throw new StartupException("vnetd.cluster.link-port: set it (the remoting port + 1 is past 65535)");
                }
                linkPort = port + 1;
            }
            return new ClusterSettings(node, host, port, List.copyOf(seeds), Optional.of(database), stableAfter, linkPort);
        } catch (ConfigException e) {
            throw new StartupException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new StartupException("vnetd.cluster.journal: " + e.getMessage());
        }
    }

    private static void checkName(String what, String name) {
        if (!NodeName.isValid(name)) {
            throw new StartupException(what + ": node name '" + name + "' " + NodeName.RULE);
        }
    }

    private static int port(String what, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below with the rest.
        }
        throw new StartupException(what + ": '" + value + "' is not a port number (0 to 65535)");
    }

    private static void resolvable(SeedNode seed) {
        try {
            InetAddress.getByName(seed.host());
        } catch (UnknownHostException e) {
            throw new StartupException("vnetd.cluster.seed-nodes: unknown host in " + seed);
        }
    }

    /**
     * The Pekko settings this block implies: remoting on this node's address, the seeds, the node's name
     * as a role, the split-brain resolver; for a cluster also the PostgreSQL journal and remembered entities.
     */
    public Config pekkoConfig() {
        Config pekko = ConfigFactory.empty()
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(linkPort == 0
                        ? List.of(NodeName.role(node)) : List.of(NodeName.role(node), NodeName.linkRole(host, linkPort))))
                .withValue("pekko.cluster.seed-nodes",
                        ConfigValueFactory.fromIterable(seeds.stream().map(SeedNode::address).toList()))
                .withValue("pekko.cluster.split-brain-resolver.stable-after", ConfigValueFactory.fromAnyRef(stableAfter.toMillis() + "ms"))
                .withValue("vnetd.actors.node-name", ConfigValueFactory.fromAnyRef(node))
                .withValue("vnetd.actors.founding-node",
                        ConfigValueFactory.fromAnyRef(seeds.isEmpty() ? node : seeds.getFirst().name()));
        if (journal.isEmpty()) {
            return pekko;
        }
        return pekko
                .withValue("pekko.persistence.journal.plugin", ConfigValueFactory.fromAnyRef("vnetd.journal.postgres"))
                .withValue("pekko.persistence.snapshot-store.plugin", ConfigValueFactory.fromAnyRef("vnetd.snapshot-store.postgres"))
                .withValue("vnetd.actors.read-journal-plugin", ConfigValueFactory.fromAnyRef("vnetd.query.postgres"))
                .withValue("pekko.cluster.sharding.remember-entities", ConfigValueFactory.fromAnyRef(true))
                .withValue("pekko.cluster.sharding.remember-entities-store", ConfigValueFactory.fromAnyRef("eventsourced"))
                .withFallback(journal.get().pluginConfig());
    }
}
