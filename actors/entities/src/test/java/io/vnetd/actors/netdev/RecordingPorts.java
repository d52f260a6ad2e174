package io.vnetd.actors.netdev;

import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.port.PortControl;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the entities ask of the data plane; can be told that a port's resource is taken. */
public final class RecordingPorts implements PortControl {
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final Set<String> unavailable = ConcurrentHashMap.newKeySet();
    public final Map<String, RxFilter> filters = new ConcurrentHashMap<>();
    public final List<String> injected = new CopyOnWriteArrayList<>();
    /** Runs on the entity's thread as it activates a port. */
    public volatile Runnable onActivate = () -> {
    };

    @Override
    public void open(NetdevConfig config) {
        if (unavailable.contains(config.id())) {
            throw NetException.generic("can't bind ip=127.0.0.1 to socket: Address already in use");
        }
        calls.add("open " + config.id());
    }

    @Override
    public void activate(NetClientRef client) {
        calls.add("activate " + client);
        onActivate.run();
    }

    @Override
    public void openNic(NicConfig config, RxFilter filter) {
        filters.put(config.name(), filter);
        calls.add("open NIC " + config.name());
    }

    @Override
    public void setRxFilter(String nic, RxFilter filter) {
        filters.put(nic, filter);
    }

    @Override
    public void inject(String nic, byte[] frame) {
        injected.add(nic);
    }

    @Override
    public void close(NetClientRef client) {
        calls.add("close " + client);
    }

    @Override
    public void setLink(NetClientRef client, boolean up) {
        calls.add("link " + client + " " + (up ? "up" : "down"));
    }

    @Override
    public void connect(NetClientRef a, NetClientRef b) {
        calls.add("connect " + a + " " + b);
    }

    @Override
    public void disconnect(NetClientRef client) {
        calls.add("disconnect " + client);
    }

    @Override
    public String describe(NetClientRef client) {
        return "";
    }
}
