package io.vnetd.ops.qmp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a QMP server listens, written as the daemon's {@code --qmp} takes it ({@code unix:PATH},
 * {@code tcp:HOST:PORT}) or as qmp-shell takes it (a socket path, or {@code HOST:PORT}).
 */
public record QmpEndpoint(String text, SocketAddress address) {

    /** The daemon's own default: {@code qmp.sock} in its default data directory {@code ./var}. */
    public static final String DEFAULT = "unix:var/qmp.sock";

    public static QmpEndpoint parse(String text) {
        if (text.startsWith("unix:")) {
            return unix(text, text.substring("unix:".length()));
        }
        if (text.startsWith("tcp:")) {
            return tcp(text, text.substring("tcp:".length()));
        }
        int colon = text.lastIndexOf(':');
        if (colon > 0 && text.indexOf('/') < 0 && isPort(text.substring(colon + 1))) {
            return tcp(text, text);
        }
        return unix(text, text);
    }

    private static QmpEndpoint unix(String text, String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("QMP endpoint '" + text + "' names no socket path");
        }
        return new QmpEndpoint(text, UnixDomainSocketAddress.of(Path.of(path)));
    }

    private static QmpEndpoint tcp(String text, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || !isPort(hostPort.substring(colon + 1))) {
            throw new IllegalArgumentException("QMP endpoint '" + text + "' is not tcp:HOST:PORT");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new QmpEndpoint(text, new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1))));
    }

    private static boolean isPort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(text);
        return port > 0 && port < 65536;
    }

    @Override
    public String toString() {
        return text;
    }
}
