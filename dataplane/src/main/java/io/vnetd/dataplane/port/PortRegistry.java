package io.vnetd.dataplane.port;

import io.vnetd.dataplane.idle.Doorbell;
import io.vnetd.dataplane.switching.ControlOp;
import io.vnetd.dataplane.switching.Outbound;
import io.vnetd.dataplane.switching.PortTag;
import io.vnetd.model.error.NetException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.agrona.collections.IntArrayQueue;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The control plane's side of the ports: which names are open, as what, in which slot. It hands out
 * slots and tags, makes the rings of endpoints, and queues the opens and closes that the switching
 * agent applies. Its lock serializes callers among themselves and keeps the queue's order equal to
 * the registry's; the switching agent never takes it.
 *
 * <p>Slots are numbered from 0 up as ports open; a closed slot goes to the back of a free list, and
 * comes back with a new generation in its tag once {@value #REUSE_AFTER} other slots were freed after
 * it (or when no fresh slot is left), so a frame a closed port left on the inbound ring never meets a
 * slot reused 2,047 times. The tables indexed by slot grow with the highest slot in use, so an empty
 * node holds little and a full one needs no setting.
 */
public final class PortRegistry {

    private sealed interface Entry {
        int tag();
    }

    private record HubportEntry(int tag, int hubId) implements Entry {
    }

    private record EndpointEntry(int tag) implements Entry {
    }

    private final ControlChannel<ControlOp> control;
    private final Doorbell switching;
    private final SwitchInput ring;
    private final SwitchInput switchThread;
    private final int outboundRingCapacity;
    private final int maxFrameLength;
    private final Map<String, Entry> entries = new HashMap<>();
    /** Freed slots that wait before the oldest of them is handed out again. */
    static final int REUSE_AFTER = 1024;

    private final int maxPorts;
    private final IntArrayQueue freeSlots = new IntArrayQueue(IntArrayQueue.MIN_CAPACITY, -1);
    /** By slot; as long as the slots handed out so far. */
    private int[] generations = new int[IntArrayQueue.MIN_CAPACITY];
    private int slotsUsed;
    private boolean shutDown;

    /**
     * @param switchThread the switching agent's own entry, for endpoints that offer on its thread
     * @param switching    the switching agent's doorbell, which endpoints ring after offering frames
     */
    public PortRegistry(ControlChannel<ControlOp> control, ManyToOneRingBuffer inbound, SwitchInput switchThread, int maxPorts,
                        int outboundRingCapacity, int maxFrameLength, Doorbell switching) {
        this.control = control;
        this.switching = switching;
        this.ring = inbound::write;
        this.switchThread = switchThread;
        this.outboundRingCapacity = outboundRingCapacity;
        this.maxFrameLength = maxFrameLength;
        this.maxPorts = maxPorts;
    }

    /**
     * Opens hubport {@code name} on hub {@code hubId}; nothing if it is open there already.
     *
     * @throws IllegalStateException if {@code name} is open as something else
     * @throws NetException          if every slot is taken
     */
    public synchronized void openHubport(String name, int hubId) {
        Entry entry = entries.get(name);
        if (entry instanceof HubportEntry hubport && hubport.hubId() == hubId) {
            return;
        }
        requireAbsent(name, entry);
        int tag = takeTag(name);
        try {
            control.send(new ControlOp.OpenHubport(name, tag, hubId));
        } catch (RuntimeException e) {
            freeSlots.addInt(PortTag.slot(tag));
            throw e;
        }
        entries.put(name, new HubportEntry(tag, hubId));
    }

    /**
     * Opens endpoint port {@code name} and returns its attachment, usable at once: the switch applies
     * the open before it forwards any frame the endpoint offers.
     *
     * @throws IllegalStateException if {@code name} is open already
     * @throws NetException          if every slot is taken
     */
    public EndpointPort attachEndpoint(String name) {
        return attach(name, ring, false);
    }

    /**
     * {@link #attachEndpoint} for an endpoint whose I/O runs on the switching agent's thread only (a
     * backend served by an I/O agent sharing that thread): each frame it offers is forwarded at once,
     * with no trip through the inbound ring and one copy fewer, and it may take the frames delivered
     * to it as they come ({@link EndpointPort#receiveDirectly}).
     */
    public EndpointPort attachSwitchThreadEndpoint(String name) {
        return attach(name, switchThread, true);
    }

    private synchronized EndpointPort attach(String name, SwitchInput input, boolean onSwitchThread) {
        requireAbsent(name, entries.get(name));
        Outbound outbound = new Outbound(new OneToOneRingBuffer(RingBuffers.allocate(outboundRingCapacity)), onSwitchThread);
        int tag = takeTag(name);
        try {
            control.send(new ControlOp.OpenEndpoint(name, tag, outbound));
        } catch (RuntimeException e) {
            freeSlots.addInt(PortTag.slot(tag));
            throw e;
        }
        entries.put(name, new EndpointEntry(tag));
        return new EndpointPort(name, tag, input, outbound, maxFrameLength, this::detach, switching);
    }

    /** Closes port {@code name}, whatever it is; nothing if it is not open. */
    public synchronized void close(String name) {
        Entry entry = entries.get(name);
        if (entry != null) {
            remove(name, entry);
        }
    }

    /**
     * Stops queueing operations: the switching agent has stopped. Closing an {@link EndpointPort}
     * afterwards (a backend shutting down late) does nothing.
     */
    public synchronized void shutDown() {
        shutDown = true;
    }

    /** Whether port {@code name} is open (the switching agent may not have taken it yet). */
    public synchronized boolean isOpen(String name) {
        return entries.containsKey(name);
    }

    /** Whether {@code name} is open as a hubport. */
    public synchronized boolean isHubport(String name) {
        return entries.get(name) instanceof HubportEntry;
    }

    private synchronized void detach(EndpointPort port) {
        if (shutDown) {
            return;
        }
        Entry entry = entries.get(port.name());
        if (entry != null && entry.tag() == port.tag()) {
            remove(port.name(), entry);
        }
    }

    private void remove(String name, Entry entry) {
        control.send(new ControlOp.Close(name, entry.tag()));
        entries.remove(name);
        freeSlots.addInt(PortTag.slot(entry.tag()));
    }

    private static void requireAbsent(String name, Entry entry) {
        switch (entry) {
            case null -> {
            }
            case HubportEntry hubport -> throw new IllegalStateException(
                    "port '" + name + "' is already open as a port of hub " + hubport.hubId());
            case EndpointEntry endpoint -> throw new IllegalStateException(
                    "port '" + name + "' is already open as an endpoint");
        }
    }

    private int takeTag(String name) {
        int slot;
        if (freeSlots.size() > REUSE_AFTER || !freeSlots.isEmpty() && slotsUsed == maxPorts) {
            slot = freeSlots.pollInt();
        } else if (slotsUsed < maxPorts) {
            slot = slotsUsed++;
            if (slot == generations.length) {
                generations = Arrays.copyOf(generations, Math.min(generations.length * 2, maxPorts));
            }
        } else {
            throw NetException.generic("no room for port '" + name + "': all " + maxPorts
                    + " ports of the data plane are in use (vnetd.dataplane.max-ports)");
        }
        generations[slot] = PortTag.nextGeneration(generations[slot]);
        return PortTag.of(slot, generations[slot]);
    }
}
