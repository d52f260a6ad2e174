package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.counters.BackendCountersSnapshot;
import io.vnetd.dataplane.counters.CounterStore;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.service.NetEventPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The open backends by netdev id, and what they get from the data plane. Opening and closing are the
 * control plane's (its lock orders them among callers; agents never take it); descriptions and
 * counters are read from any thread.
 */
public final class Backends implements BackendEnv {

    /** Makes a backend of one type: acquires its host resource, then constructs it. */
    @FunctionalInterface
    public interface Factory<C extends NetdevConfig> {
        Backend open(C config, BackendEnv env);
    }

    private final DataPlane.Context settings;
    private final Function<String, EndpointPort> endpoints;
    private final CounterStore counters;
    private final List<IoAgent> agents;
    private final Resolver resolver = new Resolver();
    /** Changed under this object's lock, read without it. */
    private final Map<String, Backend> open = new ConcurrentHashMap<>();
    private boolean shutDown;

    public Backends(DataPlane.Context settings, Function<String, EndpointPort> endpoints,
                    CounterStore counters, List<IoAgent> agents) {
        this.settings = settings;
        this.endpoints = endpoints;
        this.counters = counters;
        this.agents = List.copyOf(agents);
    }

    /**
     * Opens the backend {@code config} describes (its host resource and its port), unless one with
     * this configuration is open already; no agent serves it before {@link #activate}.
     *
     * @throws io.vnetd.model.error.NetException with QEMU's wording when the host resource cannot be had
     * @throws IllegalStateException            if the id is open with another configuration
     */
    public synchronized <C extends NetdevConfig> void open(C config, Factory<C> factory) {
        if (shutDown) {
            throw new IllegalStateException("data plane is closed");
        }
        Backend existing = open.get(config.id());
        if (existing != null) {
            if (existing.config().equals(config)) {
                return;
            }
            throw new IllegalStateException("netdev '" + config.id() + "' is open already as " + existing.config());
        }
        open.put(config.id(), factory.open(config, this));
    }

    /**
     * Opens a backend that is no netdev's (a NIC's guest side) as {@code name}, a port name no netdev
     * id can be, unless one of that name is open already; no agent serves it before {@link #activate}.
     *
     * @throws io.vnetd.model.error.NetException when its host resource cannot be had
     */
    public synchronized void openOwn(String name, Function<BackendEnv, Backend> factory) {
        if (shutDown) {
            throw new IllegalStateException("data plane is closed");
        }
        if (!open.containsKey(name)) {
            open.put(name, factory.apply(this));
        }
    }

    /** The endpoint port of open backend {@code name}, if one is open. Any thread. */
    public Optional<EndpointPort> port(String name) {
        return Optional.ofNullable(open.get(name)).map(Backend::port);
    }

    /** Has the least loaded agent serve backend {@code name}; nothing if none is open, or it is served already. */
    public synchronized void activate(String name) {
        Backend backend = open.get(name);
        if (backend == null || backend.agent() != null) {
            return;
        }
        IoAgent agent = leastLoaded();
        backend.servedBy(agent);
        try {
            agent.start(backend);
        } catch (RuntimeException e) {
            // The agent never took it: let go of everything here.
            open.remove(name);
            backend.close();
            backend.stop();
            throw e;
        }
    }

    /** Closes backend {@code name}: its resources are released when this returns. Nothing if none is open. */
    public synchronized void close(String name) {
        Backend backend = open.remove(name);
        if (backend != null) {
            backend.close();
            // Its agent closes its descriptors; one that no agent serves yet is stopped here.
            if (backend.agent() != null) {
                backend.agent().stop(backend);
            } else {
                backend.stop();
            }
        }
    }

    /**
     * Releases every backend's resources and stops opening more; the agents, stopping, close the
     * descriptors of those they serve.
     */
    public synchronized void shutDown() {
        shutDown = true;
        for (Backend backend : open.values()) {
            backend.shutDown();
            if (backend.agent() == null) {
                backend.stop();
            }
        }
        open.clear();
        resolver.close();
    }

    /** The backend's description, or nothing if no backend of that name is open. Any thread. */
    public Optional<String> describe(String name) {
        Backend backend = open.get(name);
        return backend == null ? Optional.empty() : Optional.of(backend.describe());
    }

    /** The backend's I/O counters, or nothing if no backend of that name is open. Any thread. */
    public Optional<BackendCountersSnapshot> counters(String name) {
        Backend backend = open.get(name);
        return backend == null ? Optional.empty() : backend.counters().snapshot();
    }

    /** Every open backend's I/O counters. Any thread. */
    public List<BackendCountersSnapshot> counters() {
        List<BackendCountersSnapshot> snapshots = new ArrayList<>();
        open.values().forEach(b -> b.counters().snapshot().ifPresent(snapshots::add));
        return snapshots;
    }

    private IoAgent leastLoaded() {
        IoAgent best = agents.getFirst();
        for (IoAgent agent : agents) {
            if (agent.load() < best.load()) {
                best = agent;
            }
        }
        return best;
    }

    @Override
    public DataPlane.Context settings() {
        return settings;
    }

    @Override
    public EndpointPort attachEndpoint(String name) {
        return endpoints.apply(name);
    }

    @Override
    public BackendCounters allocateCounters(String name) {
        return BackendCounters.allocate(counters, name);
    }

    @Override
    public NetEventPublisher events() {
        return settings.eventPublisher();
    }

    @Override
    public Resolver resolver() {
        return resolver;
    }
}
