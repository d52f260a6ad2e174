package io.vnetd.ops.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code vnetd.cluster}: a single node by default, a cluster member with seeds, one line for every mistake. */
class ClusterSettingsTest {

    private static Config config(String block) {
        return ConfigFactory.parseString(block).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    private static String refusal(String block) {
        return assertThrows(StartupException.class, () -> ClusterSettings.from(config(block))).getMessage();
    }

    private static final String N1 = """
            vnetd.cluster {
              node-name = n1, host = "127.0.0.1", port = 25521
              seed-nodes = ["n1@127.0.0.1:25521", "n2@127.0.0.1:25522"]
              journal = "postgres://vnetd@127.0.0.1:5432/vnetd"
            }
            """;

    @Test
    void withoutSeedsTheNodeIsAClusterOfOneOnItsOwnJournal() {
        ClusterSettings single = ClusterSettings.from(config(""));
        assertFalse(single.clustered());
        assertEquals("local", single.node());
        Config pekko = single.pekkoConfig();
        assertEquals(List.of("vnetd-node:local"), pekko.getStringList("pekko.cluster.roles"));
        assertFalse(pekko.hasPath("pekko.persistence.journal.plugin"), "the LMDB journal of vnetd-node.conf stays");
        assertEquals("local", pekko.getString("vnetd.actors.founding-node"));
    }

    @Test
    void aMemberJoinsItsSeedsOnTheSharedJournal() {
        ClusterSettings n1 = ClusterSettings.from(config(N1));
        assertTrue(n1.clustered());
        Config pekko = n1.pekkoConfig();
        assertEquals(List.of("pekko://vnetd@127.0.0.1:25521", "pekko://vnetd@127.0.0.1:25522"),
                pekko.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(25521, pekko.getInt("pekko.remote.artery.canonical.port"));
        assertEquals(List.of("vnetd-node:n1", "vnetd-link:127.0.0.1:25522"), pekko.getStringList("pekko.cluster.roles"),
                "its data-plane link on the remoting port + 1, unless link-port says otherwise");
        assertEquals("vnetd.journal.postgres", pekko.getString("pekko.persistence.journal.plugin"));
        assertEquals("vnetd.query.postgres", pekko.getString("vnetd.actors.read-journal-plugin"));
        assertEquals("jdbc:postgresql://127.0.0.1:5432/vnetd",
                pekko.getString("pekko-persistence-jdbc.shared-databases.vnetd.db.url"));
        assertEquals("n1", pekko.getString("vnetd.actors.founding-node"));
        assertEquals(20_000, pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis());
    }

    @Test
    void everyMistakeIsOneLine() {
        assertEquals("vnetd.cluster.seed-nodes: '127.0.0.1:25521' is not NAME@HOST:PORT",
                refusal(N1 + "vnetd.cluster.seed-nodes = [\"127.0.0.1:25521\"]"));
        assertEquals("vnetd.cluster.seed-nodes: node name 'n2' is used twice",
                refusal(N1 + "vnetd.cluster.seed-nodes = [\"n1@127.0.0.1:25521\", \"n2@127.0.0.1:1\", \"n2@127.0.0.1:2\"]"));
        assertEquals("vnetd.cluster.seed-nodes: unknown host in n2@no-such-host.invalid:25522",
                refusal(N1 + "vnetd.cluster.seed-nodes = [\"n2@no-such-host.invalid:25522\"]"));
        assertEquals("vnetd.cluster.seed-nodes: n2@127.0.0.1:25521 is this node's address, but this node is 'n1'",
                refusal(N1 + "vnetd.cluster.seed-nodes = [\"n2@127.0.0.1:25521\"]"));
        assertEquals("vnetd.cluster.seed-nodes: n1@127.0.0.1:25529 names this node ('n1') at another address than"
                        + " vnetd.cluster.host and port (127.0.0.1:25521)",
                refusal(N1 + "vnetd.cluster.seed-nodes = [\"n1@127.0.0.1:25529\"]"));
        assertEquals("vnetd.cluster.node-name: node name '1st' must start with a letter and contain only letters,"
                + " digits, '-', '.' and '_'", refusal(N1 + "vnetd.cluster.node-name = 1st"));
        assertEquals("vnetd.cluster.port: a cluster node needs a fixed port (0 lets the kernel choose)",
                refusal(N1 + "vnetd.cluster { port = 0, seed-nodes = [\"n2@127.0.0.1:25522\"] }"));
        assertEquals("vnetd.cluster.port: '70000' is not a port number (0 to 65535)",
                refusal(N1 + "vnetd.cluster.port = 70000"));
        assertEquals("vnetd.cluster.journal: a cluster node needs the shared journal (postgres://USER@HOST:PORT/DATABASE)",
                refusal(N1 + "vnetd.cluster.journal = \"\""));
        assertEquals("vnetd.cluster.journal: bad journal 'mysql://x@h/db': expected postgres://USER@HOST[:PORT]/DATABASE"
                + " (the password comes from --password-file)", refusal(N1 + "vnetd.cluster.journal = \"mysql://x@h/db\""));
    }
}
