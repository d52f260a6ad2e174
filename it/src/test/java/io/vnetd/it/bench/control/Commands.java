package io.vnetd.it.bench.control;

import java.nio.charset.StandardCharsets;

/** The QMP commands the benchmarks send, encoded once: one JSON text per line, without an id. */
public final class Commands {

    private Commands() {
    }

    static byte[] line(String json) {
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A command without arguments, such as {@code query-version}. */
    public static byte[] execute(String command) {
        return line("{\"execute\":\"" + command + "\"}");
    }

    /** {@code human-monitor-command} with {@code commandLine}, such as {@code info network}. */
    public static byte[] hmp(String commandLine) {
        return line("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"" + commandLine
                + "\"}}");
    }

    public static byte[] netdevAdd(String id, int hub) {
        return line("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"hubport\",\"id\":\"" + id
                + "\",\"hubid\":" + hub + "}}");
    }

    public static byte[] netdevDel(String id) {
        return line("{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"" + id + "\"}}");
    }

    public static byte[] setLink(String name, boolean up) {
        return line("{\"execute\":\"set_link\",\"arguments\":{\"name\":\"" + name + "\",\"up\":" + up + "}}");
    }

    /** A {@code dgram} netdev from {@code 127.0.0.1:localPort} to {@code 127.0.0.1:remotePort}. */
    public static byte[] dgramAdd(String id, int localPort, int remotePort) {
        return line("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"dgram\",\"id\":\"" + id
                + "\",\"local\":" + inet(localPort) + ",\"remote\":" + inet(remotePort) + "}}");
    }

    private static String inet(int port) {
        return "{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + port + "\"}";
    }

    /** A virtio-net-pci NIC on {@code netdev}; {@code mac} as {@code 52:54:00:12:34:56}. */
    public static byte[] deviceAdd(String id, String netdev, String mac) {
        return line("{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-net-pci\",\"id\":\"" + id
                + "\",\"netdev\":\"" + netdev + "\",\"mac\":\"" + mac + "\"}}");
    }

    public static byte[] deviceDel(String id) {
        return line("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"" + id + "\"}}");
    }
}
