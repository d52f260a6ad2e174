package io.vnetd.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vnetd.ops.node.StartupException;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {

    private static Optional<InetSocketAddress> listen(String value) {
        return MetricsSettings.listen(ConfigFactory.parseString("vnetd.metrics.listen = \"" + value + "\"")
                .withFallback(ConfigFactory.defaultReference()));
    }

    @Test
    void offByDefault() {
        assertTrue(MetricsSettings.listen(ConfigFactory.defaultReference()).isEmpty());
    }

    @Test
    void hostAndPort() {
        InetSocketAddress v4 = listen("127.0.0.1:9464").orElseThrow();
        assertEquals("127.0.0.1", v4.getAddress().getHostAddress());
        assertEquals(9464, v4.getPort());
        InetSocketAddress v6 = listen("[::1]:0").orElseThrow();
        assertEquals("0:0:0:0:0:0:0:1", v6.getAddress().getHostAddress());
        assertEquals(0, v6.getPort());
    }

    @Test
    void aBadValueIsOneLineNamingTheKey() {
        for (String bad : new String[] {"127.0.0.1", ":9464", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:http"}) {
            StartupException e = assertThrows(StartupException.class, () -> listen(bad), bad);
            assertEquals("vnetd.metrics.listen must be HOST:PORT (e.g. 127.0.0.1:9464), not '" + bad + "'", e.getMessage());
        }
        StartupException unknown = assertThrows(StartupException.class, () -> listen("no-such-host.invalid:9464"));
        assertEquals("vnetd.metrics.listen: unknown host 'no-such-host.invalid'", unknown.getMessage());
    }
}
