package io.vnetd.qmp.server;

import java.nio.file.Path;

/** Where a {@link QmpServer} listens. */
public sealed interface QmpEndpoint {

    /** A UNIX domain stream socket, created mode 0600. */
    record Unix(Path path) implements QmpEndpoint {
        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** A TCP socket bound to exactly this host (name or address) and port; port 0 picks a free one. */
    record Tcp(String host, int port) implements QmpEndpoint {
        public Tcp {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("bad TCP port " + port);
            }
        }

        @Override
        public String toString() {
            return "tcp:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    static QmpEndpoint unix(Path path) {
        return new Unix(path);
    }

    static QmpEndpoint tcp(String host, int port) {
        return new Tcp(host, port);
    }

    /**
     * Parses QEMU's {@code -qmp} notation: {@code unix:PATH}, {@code tcp:HOST:PORT},
     * {@code tcp:[IPV6]:PORT}.
     */
    static QmpEndpoint parse(String spec) {
        if (spec.startsWith("unix:") && spec.length() > 5) {
            return new Unix(Path.of(spec.substring(5)));
        }
        if (spec.startsWith("tcp:")) {
            String address = spec.substring(4);
            int colon = address.lastIndexOf(':');
            if (colon > 0) {
                String host = address.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                try {
                    return new Tcp(host, Integer.parseInt(address.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad QMP endpoint '" + spec + "': port is not a number", e);
                }
            }
        }
        throw new IllegalArgumentException("bad QMP endpoint '" + spec + "': expected unix:PATH or tcp:HOST:PORT");
    }
}
