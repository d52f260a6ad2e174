package io.vnetd.it.bench.control;

import java.nio.charset.StandardCharsets;

/** The QMP commands the benchmarks send, encoded once: one JSON text per line, without an id. */
final class Commands {

    private Commands() {
    }

    static byte[] line(String json) {
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] netdevAdd(String id, int hub) {
        return line("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"hubport\",\"id\":\"" + id
                + "\",\"hubid\":" + hub + "}}");
    }

    static byte[] netdevDel(String id) {
        return line("{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"" + id + "\"}}");
    }

    static byte[] setLink(String name, boolean up) {
        return line("{\"execute\":\"set_link\",\"arguments\":{\"name\":\"" + name + "\",\"up\":" + up + "}}");
    }
}
