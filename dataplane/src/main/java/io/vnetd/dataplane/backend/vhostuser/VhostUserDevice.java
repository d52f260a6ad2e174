package io.vnetd.dataplane.backend.vhostuser;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.ScmRights;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.counters.BackendCounters;
import io.vnetd.dataplane.port.ControlledFrameHandler;
import io.vnetd.dataplane.port.EndpointPort;
import io.vnetd.model.netclient.NetClientCounter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler.Action;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The back-end side of one vhost-user connection: reads the front-end's messages from the socket,
 * negotiates features, maps its memory, sets up its vrings, and moves frames between the vrings and
 * the port: what the driver sends (odd vrings) is offered to the switch straight out of guest memory
 * (one copy, into the switch's ring; a frame spread over several descriptors is gathered first), what
 * the switch delivers is copied once into the receive vrings' buffers (even vrings), merged over
 * several buffers when the driver negotiated {@code VIRTIO_NET_F_MRG_RXBUF}.
 *
 * <p>A message the protocol does not allow, a ring or a memory table that would make the back-end
 * reach outside the front-end's memory, is a {@link ProtocolException}, after which the owner closes
 * the connection. Agent thread.
 */
final class VhostUserDevice {

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_NET_HEADER = 12;
    private static final int NUM_BUFFERS_OFFSET = 10;
    private static final int RARP_LENGTH = 60;
    static final int MESSAGES_PER_READ = 64;

    private final int fd;
    private final EventLoop loop;
    private final EndpointPort port;
    private final BackendCounters counters;
    private final int maxFrameLength;
    private final int batchLimit;
    private final Virtqueue[] queues;
    private final ScmRights.Receiver receiver = new ScmRights.Receiver(Protocol.MAX_FDS);
    private final MemorySegment message = Arena.ofAuto().allocate(Protocol.HEADER_LENGTH + Protocol.MAX_PAYLOAD, 8);
    private final int[] fds = new int[Protocol.MAX_FDS];
    private int fdCount;
    private int messageRead;

    private long features;
    private long protocolFeatures;
    private int headerLength = MAX_NET_HEADER;
    private boolean mergeable;
    private GuestMemory memory;

    /** Frames leave guest memory through this view of it, or through {@link #gather} when spread out. */
    private final UnsafeBuffer guestView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer gather;
    private final UnsafeBuffer header = new UnsafeBuffer(new byte[MAX_NET_HEADER]);
    private final ReceiveHandler receiveHandler = new ReceiveHandler();
    private String failure;

    VhostUserDevice(int fd, EventLoop loop, EndpointPort port, BackendCounters counters, int queuePairs,
                    int maxFrameLength, int batchLimit) {
        this.fd = fd;
        this.loop = loop;
        this.port = port;
        this.counters = counters;
        this.maxFrameLength = maxFrameLength;
        this.batchLimit = batchLimit;
        this.gather = new UnsafeBuffer(new byte[maxFrameLength]);
        this.queues = new Virtqueue[2 * queuePairs];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new Virtqueue(i);
        }
    }

    int fd() {
        return fd;
    }

    /**
     * Reads and handles the complete messages waiting on the socket, at most {@link #MESSAGES_PER_READ}
     * (epoll reports the rest again), so that a flooding front-end cannot hold the agent.
     *
     * @return messages handled, or -1 once the front-end closed the connection
     * @throws ProtocolException when a message breaks the protocol
     */
    int onReadable() throws ProtocolException {
        int handled = 0;
        while (handled < MESSAGES_PER_READ) {
            int want = messageRead < Protocol.HEADER_LENGTH
                    ? Protocol.HEADER_LENGTH - messageRead
                    : Protocol.HEADER_LENGTH + payloadSize() - messageRead;
            long n = receiver.receive(fd, message.address() + messageRead, want, Libc.MSG_DONTWAIT);
            takeFds();
            if (n == -Libc.EAGAIN) {
                return handled;
            }
            if (n <= 0) {
                return -1;
            }
            messageRead += (int) n;
            if (messageRead == Protocol.HEADER_LENGTH) {
                if ((flags() & Protocol.VERSION_MASK) != Protocol.VERSION) {
                    throw new ProtocolException("message with protocol version " + (flags() & Protocol.VERSION_MASK));
                }
                if (payloadSize() < 0 || payloadSize() > Protocol.MAX_PAYLOAD) {
                    throw new ProtocolException(Protocol.name(request()) + " with an oversized payload of "
                            + Integer.toUnsignedString(payloadSize()) + " bytes");
                }
            }
            if (messageRead >= Protocol.HEADER_LENGTH && messageRead == Protocol.HEADER_LENGTH + payloadSize()) {
                try {
                    handle();
                } finally {
                    closeFds();
                    messageRead = 0;
                }
                handled++;
            }
        }
        return handled;
    }

    private void takeFds() throws ProtocolException {
        int received = receiver.fdCount();
        boolean tooMany = receiver.truncated() || fdCount + received > fds.length;
        for (int i = 0; i < received; i++) {
            if (fdCount < fds.length) {
                fds[fdCount++] = receiver.fd(i);
            } else {
                Sockets.close(receiver.fd(i));
            }
        }
        if (tooMany) {
            throw new ProtocolException("message with more than " + Protocol.MAX_FDS + " descriptors");
        }
    }

    private void closeFds() {
        for (int i = 0; i < fdCount; i++) {
            Sockets.close(fds[i]);
        }
        fdCount = 0;
    }

    /** Takes descriptor {@code i} of the message: the caller owns it from now on. */
    private int takeFd(int i) {
        int taken = fds[i];
        fds[i] = -1;
        return taken;
    }

    private int request() {
        return message.get(ValueLayout.JAVA_INT, 0);
    }

    private int flags() {
        return message.get(ValueLayout.JAVA_INT, 4);
    }

    private int payloadSize() {
        return message.get(ValueLayout.JAVA_INT, 8);
    }

    private long u64(int offset) {
        return message.get(U64, Protocol.HEADER_LENGTH + offset);
    }

    private int u32(int offset) {
        return message.get(U32, Protocol.HEADER_LENGTH + offset);
    }

    private void requirePayload(int length) throws ProtocolException {
        if (payloadSize() != length) {
            throw new ProtocolException(Protocol.name(request()) + " with a payload of " + payloadSize()
                    + " bytes instead of " + length);
        }
    }

    private void requireFds(int count) throws ProtocolException {
        if (fdCount != count) {
            throw new ProtocolException(Protocol.name(request()) + " with " + fdCount + " descriptors instead of " + count);
        }
    }

    private Virtqueue vring(long index) throws ProtocolException {
        if (index < 0 || index >= queues.length) {
            throw new ProtocolException(Protocol.name(request()) + " for vring " + index + " of " + queues.length);
        }
        return queues[(int) index];
    }

    private void handle() throws ProtocolException {
        int request = request();
        boolean replied = false;
        switch (request) {
            case Protocol.GET_FEATURES -> {
                requirePayload(0);
                requireFds(0);
                replyU64(Protocol.FEATURES);
                replied = true;
            }
            case Protocol.SET_FEATURES -> {
                requirePayload(Protocol.U64_LENGTH);
                requireFds(0);
                setFeatures(u64(0));
            }
            case Protocol.GET_PROTOCOL_FEATURES -> {
                requirePayload(0);
                requireFds(0);
                replyU64(Protocol.PROTOCOL_FEATURES);
                replied = true;
            }
            case Protocol.SET_PROTOCOL_FEATURES -> {
                requirePayload(Protocol.U64_LENGTH);
                requireFds(0);
                long asked = u64(0);
                if ((asked & ~Protocol.PROTOCOL_FEATURES) != 0) {
                    throw new ProtocolException("protocol features " + Long.toHexString(asked) + " not offered");
                }
                protocolFeatures = asked;
            }
            case Protocol.GET_QUEUE_NUM -> {
                requirePayload(0);
                requireFds(0);
                replyU64(queues.length / 2);
                replied = true;
            }
            case Protocol.SET_OWNER, Protocol.RESET_OWNER -> requireFds(0);
            case Protocol.SET_MEM_TABLE -> setMemTable();
            case Protocol.SET_VRING_NUM -> {
                requireState();
                vring(u32(0) & 0xffffffffL).setSize(u32(4));
            }
            case Protocol.SET_VRING_ADDR -> {
                requirePayload(Protocol.VRING_ADDR_LENGTH);
                requireFds(0);
                vring(u32(0) & 0xffffffffL).setAddresses(u64(8), u64(16), u64(24));
            }
            case Protocol.SET_VRING_BASE -> {
                requireState();
                vring(u32(0) & 0xffffffffL).setBase(u32(4));
            }
            case Protocol.GET_VRING_BASE -> {
                requireState();
                Virtqueue q = vring(u32(0) & 0xffffffffL);
                deregisterKick(q);
                q.publish();
                int base = q.stop();
                replyState(q.index, base);
                replied = true;
            }
            case Protocol.SET_VRING_KICK -> setKick();
            case Protocol.SET_VRING_CALL, Protocol.SET_VRING_ERR -> {
                requirePayload(Protocol.U64_LENGTH);
                long value = u64(0);
                boolean noFd = (value & Protocol.VRING_NOFD) != 0;
                requireFds(noFd ? 0 : 1);
                Virtqueue q = vring(value & Protocol.VRING_INDEX_MASK);
                int descriptor = noFd ? -1 : takeFd(0);
                if (request == Protocol.SET_VRING_CALL) {
                    q.setCall(descriptor);
                } else {
                    q.setErr(descriptor);
                }
            }
            case Protocol.SET_VRING_ENABLE -> {
                requireState();
                vring(u32(0) & 0xffffffffL).setEnabled(u32(4) != 0);
            }
            case Protocol.SEND_RARP -> {
                requirePayload(Protocol.U64_LENGTH);
                requireFds(0);
                announce();
            }
            default -> throw new ProtocolException("unsupported request " + Protocol.name(request));
        }
        if (!replied && (flags() & Protocol.FLAG_NEED_REPLY) != 0
                && (protocolFeatures & Protocol.bit(Protocol.PROTOCOL_F_REPLY_ACK)) != 0) {
            replyU64(0);
        }
    }

    private void requireState() throws ProtocolException {
        requirePayload(Protocol.VRING_STATE_LENGTH);
        requireFds(0);
    }

    private void setFeatures(long asked) throws ProtocolException {
        if ((asked & ~Protocol.FEATURES) != 0) {
            throw new ProtocolException("features " + Long.toHexString(asked & ~Protocol.FEATURES) + " not offered");
        }
        features = asked;
        mergeable = (asked & Protocol.bit(Protocol.VIRTIO_NET_F_MRG_RXBUF)) != 0;
        boolean modern = (asked & Protocol.bit(Protocol.VIRTIO_F_VERSION_1)) != 0;
        headerLength = modern || mergeable ? MAX_NET_HEADER : MAX_NET_HEADER - 2;
        // Without protocol features a ring runs as soon as it is kicked; with them it waits for SET_VRING_ENABLE.
        if ((asked & Protocol.bit(Protocol.VHOST_USER_F_PROTOCOL_FEATURES)) == 0) {
            for (Virtqueue q : queues) {
                q.setEnabled(true);
            }
        }
    }

    private void setMemTable() throws ProtocolException {
        if (payloadSize() < Protocol.MEMORY_HEADER_LENGTH) {
            throw new ProtocolException("SET_MEM_TABLE without its region count");
        }
        int count = u32(0);
        if (count < 1 || count > Protocol.MAX_REGIONS) {
            throw new ProtocolException("SET_MEM_TABLE with " + Integer.toUnsignedString(count) + " regions");
        }
        requirePayload(Protocol.MEMORY_HEADER_LENGTH + count * Protocol.MEMORY_REGION_LENGTH);
        requireFds(count);
        GuestMemory.Region[] table = new GuestMemory.Region[count];
        for (int i = 0; i < count; i++) {
            int at = Protocol.MEMORY_HEADER_LENGTH + i * Protocol.MEMORY_REGION_LENGTH;
            table[i] = new GuestMemory.Region(u64(at), u64(at + 8), u64(at + 16), u64(at + 24));
        }
        GuestMemory mapped;
        try {
            mapped = GuestMemory.map(table, fds);
        } catch (ErrnoException e) {
            throw new ProtocolException("SET_MEM_TABLE: " + e.getMessage());
        }
        for (Virtqueue q : queues) {
            try {
                q.remap(mapped);
            } catch (ProtocolException e) {
                mapped.close();
                throw e;
            }
        }
        if (memory != null) {
            memory.close();
        }
        memory = mapped;
    }

    private void setKick() throws ProtocolException {
        requirePayload(Protocol.U64_LENGTH);
        long value = u64(0);
        boolean noFd = (value & Protocol.VRING_NOFD) != 0;
        requireFds(noFd ? 0 : 1);
        Virtqueue q = vring(value & Protocol.VRING_INDEX_MASK);
        deregisterKick(q);
        Sockets.close(q.swapKick(noFd ? -1 : takeFd(0)));
        q.start(memory);
        if (q.kickFd() >= 0) {
            q.kickToken(loop.register(q.kickFd(), Libc.EPOLLIN, events -> {
                q.drainKick();
                return 1;
            }));
        }
    }

    private void deregisterKick(Virtqueue q) {
        if (q.kickToken() >= 0) {
            loop.deregister(q.kickToken());
            q.kickToken(-1);
        }
    }

    /** QEMU's {@code announce_self_create}: a broadcast RARP request naming the guest's MAC. */
    private void announce() {
        UnsafeBuffer frame = gather;
        frame.setMemory(0, RARP_LENGTH, (byte) 0);
        frame.setMemory(0, 6, (byte) 0xff);
        for (int i = 0; i < 6; i++) {
            byte b = message.get(ValueLayout.JAVA_BYTE, Protocol.HEADER_LENGTH + i);
            frame.putByte(6 + i, b);
            frame.putByte(22 + i, b);
            frame.putByte(32 + i, b);
        }
        frame.putShort(12, (short) 0x8035, ByteOrder.BIG_ENDIAN);
        frame.putShort(14, (short) 1, ByteOrder.BIG_ENDIAN);
        frame.putShort(16, (short) 0x0800, ByteOrder.BIG_ENDIAN);
        frame.putByte(18, (byte) 6);
        frame.putByte(19, (byte) 4);
        frame.putShort(20, (short) 3, ByteOrder.BIG_ENDIAN);
        port.offer(frame, 0, RARP_LENGTH);
    }

    private void replyU64(long value) throws ProtocolException {
        reply(Protocol.U64_LENGTH);
        message.set(U64, Protocol.HEADER_LENGTH, value);
        send(Protocol.U64_LENGTH);
    }

    private void replyState(int index, int num) throws ProtocolException {
        reply(Protocol.VRING_STATE_LENGTH);
        message.set(U32, Protocol.HEADER_LENGTH, index);
        message.set(U32, Protocol.HEADER_LENGTH + 4, num);
        send(Protocol.VRING_STATE_LENGTH);
    }

    private void reply(int size) {
        message.set(ValueLayout.JAVA_INT, 4, Protocol.VERSION | Protocol.FLAG_REPLY);
        message.set(ValueLayout.JAVA_INT, 8, size);
    }

    /** Sends a reply at once; a front-end whose socket cannot take it (it reads no replies) is broken. */
    private void send(int size) throws ProtocolException {
        long sent = Libc.send(fd, message.address(), Protocol.HEADER_LENGTH + size, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
        if (sent != Protocol.HEADER_LENGTH + size) {
            throw new ProtocolException("the front-end does not take its replies");
        }
    }

    /**
     * Moves frames: the driver's transmissions into the switch, then delivered frames into the
     * receive vrings, each at most {@code batchLimit}.
     *
     * @return frames moved
     * @throws ProtocolException when a ring breaks the rules (the owner closes the connection)
     */
    int serve() throws ProtocolException {
        if (memory == null) {
            return 0;
        }
        int moved = 0;
        for (int i = 1; i < queues.length; i += 2) {
            if (queues[i].ready()) {
                moved += transmit(queues[i]);
            }
        }
        Virtqueue rx = receiveQueue();
        if (rx != null && port.hasFrames()) {
            receiveHandler.queue = rx;
            moved += port.controlledPoll(receiveHandler, batchLimit);
            rx.publish();
            if (receiveHandler.failure != null) {
                String why = receiveHandler.failure;
                receiveHandler.failure = null;
                throw new ProtocolException("vring " + rx.index + ": " + why);
            }
        }
        return moved;
    }

    /** The first receive vring that runs: frames for the port go there. */
    private Virtqueue receiveQueue() {
        for (int i = 0; i < queues.length; i += 2) {
            if (queues[i].ready()) {
                return queues[i];
            }
        }
        return null;
    }

    /** Whether {@link #serve} would move something now. */
    boolean hasWork() {
        if (memory == null) {
            return false;
        }
        for (int i = 1; i < queues.length; i += 2) {
            Virtqueue q = queues[i];
            if (q.ready() && q.pending() != 0) {
                return true;
            }
        }
        Virtqueue rx = receiveQueue();
        return rx != null && port.hasFrames() && rx.pending() != 0;
    }

    /** Whether a vring runs: then its avail ring is polled too, for front-ends whose kicks do not arrive. */
    boolean running() {
        for (Virtqueue q : queues) {
            if (q.ready()) {
                return true;
            }
        }
        return false;
    }

    private int transmit(Virtqueue q) throws ProtocolException {
        int pending = q.pending();
        if (pending < 0) {
            throw new ProtocolException("vring " + q.index + ": " + q.failure);
        }
        int sent = 0;
        while (sent < pending && sent < batchLimit) {
            int head = q.nextHead();
            if (!q.walk(head, false)) {
                throw new ProtocolException("vring " + q.index + ": " + q.failure);
            }
            long frameLength = q.chainBytes - headerLength;
            if (frameLength <= 0 || frameLength > maxFrameLength) {
                counters.get(NetClientCounter.DROPPED_TOO_LONG).incrementRelease();
            } else if (!offer(q, (int) frameLength)) {
                break;
            }
            q.complete(head, 0);
            sent++;
        }
        q.publish();
        return sent;
    }

    /** Offers the frame of the chain just walked; false if the switch has no room now. */
    private boolean offer(Virtqueue q, int frameLength) {
        int k = 0;
        long skip = headerLength;
        while (skip >= q.chainLength[k]) {
            skip -= q.chainLength[k];
            k++;
        }
        if (q.chainLength[k] - skip >= frameLength) {
            guestView.wrap(q.chainAddress(k) + skip, frameLength);
            return port.offer(guestView, 0, frameLength);
        }
        int copied = 0;
        for (; k < q.chainCount; k++) {
            int length = (int) (q.chainLength[k] - skip);
            guestView.wrap(q.chainAddress(k) + skip, length);
            gather.putBytes(copied, guestView, 0, length);
            copied += length;
            skip = 0;
        }
        return port.offer(gather, 0, frameLength);
    }

    /** Copies delivered frames into receive buffers; leaves a frame on the port when the driver has no room for it. */
    private final class ReceiveHandler implements ControlledFrameHandler {
        Virtqueue queue;
        String failure;

        @Override
        public Action onFrame(DirectBuffer frame, int offset, int length) {
            Virtqueue q = queue;
            int lastAvailBefore = q.lastAvail;
            int usedIdxBefore = q.usedIdx;
            int needed = headerLength + length;
            int written = 0;
            int buffers = 0;
            long numBuffersLow = 0;
            long numBuffersHigh = 0;
            while (written < needed) {
                if (((q.availSeen - q.lastAvail) & 0xffff) == 0) {
                    int pending = q.pending();
                    if (pending < 0) {
                        failure = q.failure;
                        q.rollBack(lastAvailBefore, usedIdxBefore);
                        return Action.ABORT;
                    }
                    if (pending == 0) {
                        q.rollBack(lastAvailBefore, usedIdxBefore);
                        return Action.ABORT;
                    }
                }
                int head = q.nextHead();
                if (!q.walk(head, true)) {
                    failure = q.failure;
                    q.rollBack(lastAvailBefore, usedIdxBefore);
                    return Action.ABORT;
                }
                if (q.chainBytes < headerLength) {
                    failure = "receive buffer smaller than the header";
                    q.rollBack(lastAvailBefore, usedIdxBefore);
                    return Action.ABORT;
                }
                if (buffers == 0) {
                    if (!mergeable && q.chainBytes < needed) {
                        // The driver's buffer cannot hold this frame: it is dropped, the buffer stays the driver's.
                        counters.get(NetClientCounter.DROPPED_SEND_FAILED).incrementRelease();
                        return Action.CONTINUE;
                    }
                    numBuffersLow = headerByteAddress(q, NUM_BUFFERS_OFFSET);
                    numBuffersHigh = headerByteAddress(q, NUM_BUFFERS_OFFSET + 1);
                }
                int inChain = 0;
                for (int k = 0; k < q.chainCount && written < needed; k++) {
                    long address = q.chainAddress(k);
                    int room = q.chainLength[k];
                    int part = Math.min(room, needed - written);
                    guestView.wrap(address, part);
                    int into = 0;
                    if (written < headerLength) {
                        int headerPart = Math.min(part, headerLength - written);
                        guestView.putBytes(0, header, written, headerPart);
                        into = headerPart;
                    }
                    if (into < part) {
                        int frameAt = written + into - headerLength;
                        guestView.putBytes(into, frame, offset + frameAt, part - into);
                    }
                    written += part;
                    inChain += part;
                }
                q.complete(head, inChain);
                buffers++;
            }
            if (headerLength == MAX_NET_HEADER) {
                guestView.wrap(numBuffersLow, 1);
                guestView.putByte(0, (byte) buffers);
                guestView.wrap(numBuffersHigh, 1);
                guestView.putByte(0, (byte) (buffers >>> 8));
            }
            return Action.CONTINUE;
        }

        /** Where byte {@code at} of the header lies in the chain just walked (a header may span descriptors). */
        private long headerByteAddress(Virtqueue q, int at) {
            int k = 0;
            long skip = at;
            while (skip >= q.chainLength[k]) {
                skip -= q.chainLength[k];
                k++;
            }
            return q.chainAddress(k) + skip;
        }
    }

    /** Lets go of everything the connection set up: descriptors, kick registrations, the memory mappings. */
    void close() {
        closeFds();
        for (Virtqueue q : queues) {
            deregisterKick(q);
            q.reset();
        }
        if (memory != null) {
            memory.close();
            memory = null;
        }
        Sockets.close(fd);
    }
}
