package io.vnetd.qmp;

import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.error.NetErrors;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.NetdevRules;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.nic.RxFilterInfo;
import io.vnetd.model.service.ClusterMember;
import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetworkService;
import io.vnetd.model.service.NetworkView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A control plane in memory, with QEMU's answers for hub ports; it has no NICs. Stages complete at once unless
 * {@link #hold()} is on: then they wait for {@link #release()}, which completes them on the
 * releasing thread, like a journal acknowledging from its own thread.
 */
public final class FakeNetwork implements NetworkService {

    private final List<Integer> hubs = new ArrayList<>();
    private final Map<String, NetClientInfo> clients = new LinkedHashMap<>();
    private final List<Consumer<NetEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> held = new ArrayList<>();
    private final List<AnnounceParameters> announced = new ArrayList<>();
    private final List<NicRequest> devices = new ArrayList<>();
    private boolean holding;

    public synchronized void hold() {
        holding = true;
    }

    /** Completes every held stage, in the order they were started, and stops holding. */
    public void release() {
        List<Runnable> pending;
        synchronized (this) {
            holding = false;
            pending = List.copyOf(held);
            held.clear();
        }
        pending.forEach(Runnable::run);
    }

    public synchronized int heldCount() {
        return held.size();
    }

    public void emit(NetEvent event) {
        listeners.forEach(l -> l.accept(event));
    }

    @Override
    public CompletionStage<Void> netdevAdd(NetdevConfig config, Optional<String> node) {
        return complete(() -> {
            NetdevRules.checkAdd(config.id(), config.type());
            config.validate();
            if (!(config instanceof NetdevConfig.Hubport port)) {
                throw new UnsupportedOperationException("the fake network has hub ports only, not " + config.type());
            }
            if (clients.containsKey(port.id())) {
                throw NetErrors.duplicateId(port.id());
            }
            Optional<String> peer = port.netdev();
            if (peer.isPresent() && !clients.containsKey(peer.get())) {
                throw NetErrors.netdevNotFound(peer.get());
            }
            if (!hubs.contains(port.hubid())) {
                hubs.add(port.hubid());
            }
            clients.put(port.id(), new NetClientInfo(port.id(), "hubport", true, peer, OptionalInt.of(port.hubid()), "", "ok", "local"));
            peer.ifPresent(p -> clients.computeIfPresent(p, (name, c) -> withPeer(c, Optional.of(port.id()))));
            return null;
        });
    }

    @Override
    public CompletionStage<Void> netdevDel(String id) {
        return complete(() -> {
            NetClientInfo removed = clients.remove(id);
            if (removed == null) {
                throw NetErrors.deviceNotFound(id);
            }
            removed.peer().ifPresent(p -> clients.computeIfPresent(p, (name, c) -> withPeer(c, Optional.empty())));
            return null;
        });
    }

    @Override
    public CompletionStage<Void> setLink(String name, boolean up) {
        return complete(() -> {
            NetClientInfo c = clients.get(name);
            if (c == null) {
                throw NetErrors.deviceNotFound(name);
            }
            clients.put(name, new NetClientInfo(c.name(), c.type(), up, c.peer(), c.hubId(), c.info(), c.status(), c.node()));
            return null;
        });
    }

    @Override
    public CompletionStage<List<RxFilterInfo>> queryRxFilter(Optional<String> name) {
        return complete(() -> {
            if (name.isPresent()) {
                if (clients.containsKey(name.get())) {
                    throw NetErrors.notANic(name.get());
                }
                throw NetErrors.invalidNetClientName(name.get());
            }
            return List.of();
        });
    }

    @Override
    public CompletionStage<Void> announceSelf(AnnounceParameters parameters) {
        return complete(() -> {
            announced.add(parameters);
            return null;
        });
    }

    public synchronized List<AnnounceParameters> announced() {
        return List.copyOf(announced);
    }

    /** Records the NIC requests; the domain rules of device_add are the actors module's to test. */
    @Override
    public CompletionStage<Void> deviceAdd(NicRequest request) {
        return complete(() -> {
            devices.add(request);
            return null;
        });
    }

    public synchronized List<NicRequest> devices() {
        return List.copyOf(devices);
    }

    @Override
    public CompletionStage<Void> declareNetdev(NetdevConfig config) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("declareNetdev"));
    }

    @Override
    public CompletionStage<Void> declareDevice(NicRequest request) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("declareDevice"));
    }

    @Override
    public CompletionStage<Void> deviceDel(String device) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("deviceDel"));
    }

    @Override
    public CompletionStage<Void> guestControl(String nic, GuestControl control) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("guestControl"));
    }

    @Override
    public CompletionStage<NetworkView> queryNetwork() {
        return complete(() -> new NetworkView(hubs, List.copyOf(clients.values())));
    }

    @Override
    public void subscribe(Consumer<NetEvent> listener) {
        listeners.add(listener);
    }

    private static NetClientInfo withPeer(NetClientInfo c, Optional<String> peer) {
        return new NetClientInfo(c.name(), c.type(), c.linkUp(), peer, c.hubId(), c.info(), c.status(), c.node());
    }

    private synchronized <T> CompletionStage<T> complete(Supplier<T> action) {
        CompletableFuture<T> stage = new CompletableFuture<>();
        Runnable run = () -> {
            try {
                T value;
                synchronized (this) {
                    value = action.get();
                }
                stage.complete(value);
            } catch (RuntimeException e) {
                stage.completeExceptionally(e);
            }
        };
        if (holding) {
            held.add(run);
        } else {
            run.run();
        }
        return stage;
    }

    @Override
    public CompletionStage<List<ClusterMember>> queryCluster() {
        return CompletableFuture.completedFuture(List.of(new ClusterMember("local", "pekko://vnetd@127.0.0.1:25520", "up",
                List.of("vnetd-node:local"), true, clients.size(), Optional.empty())));
    }
}
