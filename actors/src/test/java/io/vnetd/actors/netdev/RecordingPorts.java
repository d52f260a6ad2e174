package io.vnetd.actors.netdev;

import io.vnetd.actors.api.NetException;
import io.vnetd.actors.port.PortControl;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the entities ask of the data plane; can be told that a port's resource is taken. */
public final class RecordingPorts implements PortControl {
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final Set<String> unavailable = ConcurrentHashMap.newKeySet();

    @Override
    public void open(NetdevConfig config) {
        if (unavailable.contains(config.id())) {
            throw NetException.generic("can't bind ip=127.0.0.1 to socket: Address already in use");
        }
        calls.add("open " + config.id());
    }

    @Override
    public void close(String name) {
        calls.add("close " + name);
    }

    @Override
    public void setLink(String name, boolean up) {
        calls.add("link " + name + " " + (up ? "up" : "down"));
    }

    @Override
    public void connect(String a, String b) {
        calls.add("connect " + a + " " + b);
    }

    @Override
    public void disconnect(String name) {
        calls.add("disconnect " + name);
    }
}
