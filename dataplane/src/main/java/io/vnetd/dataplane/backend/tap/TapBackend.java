package io.vnetd.dataplane.backend.tap;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.Tun;
import io.vnetd.dataplane.counters.Counter;
import io.vnetd.dataplane.port.FrameHandler;
import io.vnetd.dataplane.port.PageMemory;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netdev.NetdevConfig;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code tap} or {@code bridge} netdev: the queues of one Linux tap interface, each a non-blocking
 * descriptor of {@code /dev/net/tun} that carries one Ethernet frame per {@code read}/{@code write}.
 *
 * <p>Every queue is read when epoll reports it readable, up to {@code ioBatchLength} frames per
 * readiness (level-triggered: the rest is read next cycle), each offered to the switch; a full
 * inbound ring drops the frame (counted), as the tap's own queue would. Frames the switch delivered
 * go out on the first queue, straight from the port's ring; the kernel takes them at once (a tap's
 * {@code write} does not wait), and one it refuses (the interface is down) is dropped and counted.
 * A tap opened by {@code qemu-bridge-helper} carries a virtio-net header before every frame: vnetd
 * has no guest offloads, so it sets none (the kernel then segments and checksums everything) and
 * strips and prepends all-zero headers, as QEMU does for a NIC without them.
 *
 * <p>Closing runs the down script (while the interface still exists, as QEMU does), then lets go of
 * the descriptors, which removes the interface. Its description is QEMU's {@code info_str} of each
 * queue, one line per queue.
 */
final class TapBackend extends Backend {

    private static final Logger LOG = LoggerFactory.getLogger(TapBackend.class);

    /** The down script to run when the backend closes, and the interface it gets. */
    record DownScript(String path, String ifname) {

        /** Runs it; a failure is logged, as QEMU reports it and goes on. */
        void runLogged() {
            try {
                NetworkScript.run(path, ifname);
            } catch (RuntimeException e) {
                LOG.warn("{} (interface {})", e.getMessage(), ifname);
            }
        }
    }

    private final int[] fds;
    private final int[] tokens;
    private final Optional<DownScript> downScript;
    private final int headerLength;
    private final int batch;
    private final int maxFrameLength;
    private final Counter droppedRingFull;
    private final Counter droppedTooLong;
    private final Counter droppedSendError;
    /** Held so that the memory lives as long as this: the buffers only know its address. */
    private final MemorySegment memory;
    /** One frame read (with its header, if any), and a byte more to see a frame too long. */
    private final UnsafeBuffer receiveBuffer;
    /** Two {@code struct iovec}: an all-zero header, then the frame. */
    private final UnsafeBuffer iovecs;
    private final FrameHandler writer = this::write;

    private EventLoop loop;

    /**
     * @param fds          the queues, each a non-blocking descriptor of the interface
     * @param infos        QEMU's {@code info_str} of each queue
     * @param headerLength bytes of virtio-net header before every frame on the descriptors
     */
    TapBackend(BackendEnv env, NetdevConfig config, int[] fds, List<String> infos, Optional<DownScript> downScript,
               int headerLength) {
        super(env, config);
        this.fds = fds.clone();
        this.tokens = new int[fds.length];
        this.downScript = downScript;
        this.headerLength = headerLength;
        this.batch = env.settings().ioBatchLength();
        this.maxFrameLength = port().maxFrameLength();
        this.droppedRingFull = counters().get(NetClientCounter.DROPPED_RING_FULL);
        this.droppedTooLong = counters().get(NetClientCounter.DROPPED_TOO_LONG);
        this.droppedSendError = counters().get(NetClientCounter.DROPPED_SEND_FAILED);
        int receiveLength = headerLength + maxFrameLength + 1;
        int iovecOffset = BitUtil.align(receiveLength + Tun.VNET_HEADER_LENGTH, BitUtil.CACHE_LINE_LENGTH);
        // A frame as long as the longest takes resident memory only as far as the frames read reach.
        this.memory = PageMemory.allocate(iovecOffset + 32L);
        this.receiveBuffer = new UnsafeBuffer(memory.address(), receiveLength);
        this.iovecs = new UnsafeBuffer(memory.address() + iovecOffset, 32);
        // The zero header sits after the receive buffer; mapped memory starts zeroed.
        iovecs.putLong(0, memory.address() + receiveLength);
        iovecs.putLong(8, headerLength);
        describeAs(String.join("\n", infos));
        // Binds the call here: its first use would spin classes, allocating, on the agent.
        Tun.writev(-1, 0, 0);
    }

    @Override
    protected void onStart(EventLoop loop) {
        this.loop = loop;
        for (int i = 0; i < fds.length; i++) {
            int queue = i;
            tokens[i] = loop.register(fds[i], Libc.EPOLLIN, events -> receive(queue, events));
        }
    }

    /** Reads up to a batch of frames from queue {@code queue} and offers them to the switch. */
    private int receive(int queue, int events) {
        int fd = fds[queue];
        int frames = 0;
        while (frames < batch) {
            long n = Libc.read(fd, receiveBuffer.addressOffset(), receiveBuffer.capacity());
            if (n <= 0) {
                if ((events & (Libc.EPOLLERR | Libc.EPOLLHUP)) != 0 && frames == 0) {
                    // The interface was taken away from the descriptor: nothing more will come.
                    loop.deregister(tokens[queue]);
                    tokens[queue] = -1;
                }
                break;
            }
            frames++;
            int length = (int) n - headerLength;
            if (length > maxFrameLength) {
                droppedTooLong.incrementRelease();
            } else if (length > 0 && !port().offer(receiveBuffer, headerLength, length)) {
                droppedRingFull.incrementRelease();
            }
        }
        return frames;
    }

    @Override
    protected int doWork() {
        return loop == null ? 0 : port().poll(writer, batch);
    }

    private void write(DirectBuffer ring, int offset, int length) {
        long address = ring.addressOffset() + offset;
        long written;
        if (headerLength == 0) {
            written = Libc.write(fds[0], address, length);
        } else {
            iovecs.putLong(16, address);
            iovecs.putLong(24, length);
            written = Tun.writev(fds[0], iovecs.addressOffset(), 2);
        }
        if (written < 0) {
            droppedSendError.incrementRelease();
        }
    }

    @Override
    protected boolean hasWork() {
        return loop != null && port().hasFrames();
    }

    @Override
    protected void onStop() {
        for (int i = 0; i < fds.length; i++) {
            if (loop != null && tokens[i] >= 0) {
                loop.deregister(tokens[i]);
            }
            Sockets.close(fds[i]);
        }
    }

    @Override
    protected void releaseResources() {
        downScript.ifPresent(DownScript::runLogged);
        for (int fd : fds) {
            Sockets.release(fd);
        }
    }
}
