package io.vnetd.ops.metrics;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.vnetd.ops.node.StartupException;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The {@code vnetd.metrics} block: where the Prometheus endpoint listens, if anywhere. */
public final class MetricsSettings {

    static final String LISTEN = "vnetd.metrics.listen";

    private MetricsSettings() {
    }

    /**
     * The address of {@code vnetd.metrics.listen} ({@code HOST:PORT}, an IPv6 host in brackets), or nothing when it
     * is empty: the endpoint is off.
     *
     * @throws StartupException naming the key and the value when it is not such an address
     */
    public static Optional<InetSocketAddress> listen(Config config) {
        String value;
        try {
            value = config.getString(LISTEN);
        } catch (ConfigException e) {
            throw new StartupException(e.getMessage());
        }
        if (value.isEmpty()) {
            return Optional.empty();
        }
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = colon > 0 ? port(value.substring(colon + 1)) : -1;
        if (host.isEmpty() || port < 0) {
            throw new StartupException(LISTEN + " must be HOST:PORT (e.g. 127.0.0.1:9464), not '" + value + "'");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new StartupException(LISTEN + ": unknown host '" + host + "'");
        }
        return Optional.of(address);
    }

    private static int port(String digits) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int port = Integer.parseInt(digits);
        return port <= 65535 ? port : -1;
    }
}
