package io.vnetd.dataplane.guest;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.Tun;
import io.vnetd.dataplane.counters.Counter;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.dataplane.port.PageMemory;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.nic.GuestSide;
import io.vnetd.model.nic.RxFilter;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NIC's guest side on a tap interface, served by an I/O agent: frames the switch delivered to the
 * NIC (its rx-filter applied) are written to the tap, frames the interface sends are offered as the
 * NIC's own, as {@code tap} netdevs move them (one {@code read} or {@code write} per frame, no
 * allocation). Beside the tap it holds two route netlink sockets of the tap's namespace and a timer:
 * a notification on the first ({@code RTNLGRP_LINK}, neighbours, addresses, multicast joins) or the
 * timer ({@link #REREAD_INTERVAL_NS}) has it dump the interface's state on the second and report the
 * filter that state asks for ({@link GuestInterface#rxFilter}) to the {@link GuestObserver} when it
 * changed. Reading the state allocates; it happens on notifications and ticks, never per frame.
 *
 * <p>The interface is persistent ({@code TUNSETPERSIST}): it outlives vnetd stopping or being killed
 * with everything the guest configured on it, and a restarted vnetd attaches to it again. Deleting
 * the NIC makes it transient before letting go of its descriptor, which removes it.
 */
public final class TapGuest extends Backend {

    private static final Logger LOG = LoggerFactory.getLogger(TapGuest.class);

    /**
     * How often the interface is read again although no notification came: {@code ip maddr add}
     * ({@code SIOCADDMULTI}) changes the multicast list without any notification on Linux up to at
     * least 6.18, so this bounds how late such a change is seen.
     */
    public static final long REREAD_INTERVAL_NS = 1_000_000_000L;

    private static final int NETLINK_BUFFER_LENGTH = 64 * 1024;
    private static final byte[] LINK_DUMP = RouteMessages.dumpRequest(RouteMessages.RTM_GETLINK, 1);
    private static final byte[] ADDRESS_LIST_DUMP = RouteMessages.dumpRequest(RouteMessages.RTM_GETNEIGH, 2);

    private final String nic;
    private final GuestSide side;
    private final int tapFd;
    private final int monitorFd;
    private final int queryFd;
    private final int timerFd;
    private final int interfaceIndex;
    private final Supplier<GuestObserver> observer;
    private final int batch;
    private final int maxFrameLength;
    private final Counter droppedRingFull;
    private final Counter droppedTooLong;
    private final Counter droppedSendError;
    /** Held so that the memory lives as long as this: the buffers only know its address. */
    private final MemorySegment memory;
    private final UnsafeBuffer receiveBuffer;
    private final MemorySegment netlinkBuffer;
    private final FrameHandler writer = this::write;
    private final int[] tokens = {-1, -1, -1};

    private EventLoop loop;
    private boolean reread = true;
    private RxFilter reported;
    /** Set when the observer could not take a report: the next tick reports again. */
    private volatile boolean reportAgain;

    TapGuest(BackendEnv env, String portName, String nic, GuestSide side, TapGuests.Opened opened,
             Supplier<GuestObserver> observer) {
        super(env, portName);
        this.nic = nic;
        this.side = side;
        this.tapFd = opened.tapFd();
        this.monitorFd = opened.monitorFd();
        this.queryFd = opened.queryFd();
        this.timerFd = opened.timerFd();
        this.interfaceIndex = opened.interfaceIndex();
        this.observer = observer;
        this.batch = env.settings().ioBatchLength();
        this.maxFrameLength = port().maxFrameLength();
        this.droppedRingFull = counters().get(NetClientCounter.DROPPED_RING_FULL);
        this.droppedTooLong = counters().get(NetClientCounter.DROPPED_TOO_LONG);
        this.droppedSendError = counters().get(NetClientCounter.DROPPED_SEND_FAILED);
        int receiveLength = maxFrameLength + 1;
        this.memory = PageMemory.allocate(receiveLength + (long) NETLINK_BUFFER_LENGTH);
        this.receiveBuffer = new UnsafeBuffer(memory.address(), receiveLength);
        this.netlinkBuffer = memory.asSlice(receiveLength, NETLINK_BUFFER_LENGTH);
        describeAs(side.describe());
    }

    @Override
    protected void onStart(EventLoop loop) {
        this.loop = loop;
        tokens[0] = loop.register(tapFd, Libc.EPOLLIN, this::receive);
        tokens[1] = loop.register(monitorFd, Libc.EPOLLIN, events -> {
            RouteSocket.drain(monitorFd, netlinkBuffer);
            reread = true;
            return 1;
        });
        tokens[2] = loop.register(timerFd, Libc.EPOLLIN, events -> {
            Libc.read(timerFd, netlinkBuffer.address(), Long.BYTES);
            reread = true;
            return 0;
        });
    }

    /** Reads up to a batch of frames the guest sent and offers them as the NIC's. */
    private int receive(int events) {
        int frames = 0;
        while (frames < batch) {
            long n = Libc.read(tapFd, receiveBuffer.addressOffset(), receiveBuffer.capacity());
            if (n <= 0) {
                if ((events & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0 && frames == 0 && tokens[0] >= 0) {
                    // The interface went (its namespace was deleted): nothing more will come.
                    loop.deregister(tokens[0]);
                    tokens[0] = -1;
                }
                break;
            }
            frames++;
            if (n > maxFrameLength) {
                droppedTooLong.incrementRelease();
            } else if (!port().offer(receiveBuffer, 0, (int) n)) {
                droppedRingFull.incrementRelease();
            }
        }
        return frames;
    }

    @Override
    protected int doWork() {
        if (loop == null) {
            return 0;
        }
        int work = port().poll(writer, batch);
        if (reread || reportAgain) {
            reread = false;
            work += readAndReport();
        }
        return work;
    }

    private void write(DirectBuffer ring, int offset, int length) {
        if (Libc.write(tapFd, ring.addressOffset() + offset, length) < 0) {
            droppedSendError.incrementRelease();
        }
    }

    /** Dumps the interface's state and reports its filter if it changed (or a report failed). */
    private int readAndReport() {
        Optional<GuestInterface> state;
        try {
            List<RouteMessages.Message> links = RouteSocket.dump(queryFd, LINK_DUMP, netlinkBuffer);
            List<RouteMessages.Message> lists = RouteSocket.dump(queryFd, ADDRESS_LIST_DUMP, netlinkBuffer);
            state = GuestInterface.of(interfaceIndex, links, lists);
        } catch (ErrnoException e) {
            LOG.warn("NIC '{}': could not read guest interface {}: {}", nic, side.describe(), e.getMessage());
            return 0;
        }
        GuestObserver to = observer.get();
        if (state.isEmpty() || to == null) {
            return 0;
        }
        RxFilter filter = state.get().rxFilter();
        if (filter.equals(reported) && !reportAgain) {
            return 0;
        }
        reported = filter;
        reportAgain = false;
        to.observed(nic, filter).whenComplete((taken, failure) -> {
            if (failure != null) {
                LOG.warn("NIC '{}': its guest's filter was not taken, reporting it again: {}", nic, failure.toString());
                reportAgain = true;
            }
        });
        return 1;
    }

    @Override
    protected boolean hasWork() {
        return loop != null && (port().hasFrames() || reread);
    }

    @Override
    protected void onStop() {
        for (int i = 0; i < tokens.length; i++) {
            if (loop != null && tokens[i] >= 0) {
                loop.deregister(tokens[i]);
                tokens[i] = -1;
            }
        }
        Sockets.close(tapFd);
        Sockets.close(monitorFd);
        Sockets.close(queryFd);
        Sockets.close(timerFd);
    }

    /** The NIC is deleted: the interface goes with the descriptor. */
    @Override
    protected void releaseResources() {
        try {
            Tun.setPersistent(tapFd, false);
        } catch (ErrnoException e) {
            LOG.warn("NIC '{}': guest interface {} may stay: {}", nic, side.describe(), e.getMessage());
        }
        releaseForShutdown();
    }

    /** vnetd stops: the interface stays, with what its guest configured, for the next run to attach to. */
    @Override
    protected void releaseForShutdown() {
        Sockets.release(tapFd);
        Sockets.release(monitorFd);
        Sockets.release(queryFd);
        Sockets.release(timerFd);
    }
}
