package io.vnetd.dataplane.backend.vhostuser;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.ScmRights;
import io.vnetd.dataplane.backend.io.SharedMemory;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A vhost-user front-end for tests and benchmarks, playing both QEMU (the protocol, the memory table)
 * and the guest's virtio-net driver (filling rings, reading them back): it lays out its "guest
 * memory" in a memfd it maps itself, one region at guest-physical {@link #GUEST_BASE} announced with
 * a made-up front-end address {@link #USER_BASE}, so that the back-end has to translate both kinds of
 * addresses. Each vring has {@code ringSize} descriptors, descriptor {@code d} owning buffer {@code d}
 * of {@link #BUFFER_LENGTH} bytes; vring 2q receives, 2q+1 transmits. Low-level methods let a test
 * write any descriptor or ring entry it likes. One thread.
 */
public final class VhostUserFrontend implements AutoCloseable {

    public static final long GUEST_BASE = 0x4000_0000L;
    public static final long USER_BASE = 0x7f12_0000_0000L;
    public static final int BUFFER_LENGTH = 2048;
    public static final int NET_HEADER = 12;
    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private int socket;
    private final int memFd;
    private final long memorySize;
    private final MemorySegment memory;
    private final int ringSize;
    private final int vrings;
    private final long ringStride;
    private final long buffersOffset;
    private final int[] kickFds;
    private final int[] callFds;
    private final int[] availIdx;
    private final int[] usedSeen;
    private long wrongLengths;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment message = arena.allocate(Protocol.HEADER_LENGTH + Protocol.MAX_PAYLOAD, 8);
    private final MemorySegment eventCell = arena.allocate(16, 8);
    private final ScmRights.Receiver receiver = new ScmRights.Receiver(Protocol.MAX_FDS);
    /** While set, run after each message sent and while a reply is awaited: the agents of a back-end nobody else runs. */
    private Runnable step;

    private VhostUserFrontend(int socket, int queuePairs, int ringSize) {
        this.socket = socket;
        this.ringSize = ringSize;
        this.vrings = 2 * queuePairs;
        long rings = align(16L * ringSize + 6 + 2L * ringSize, 4) + 6 + 8L * ringSize;
        this.ringStride = align(rings, 4096);
        this.buffersOffset = ringStride * vrings;
        this.memorySize = align(buffersOffset + (long) vrings * ringSize * BUFFER_LENGTH + 4096, 1 << 21);
        this.memFd = SharedMemory.memfd("vhost-user-frontend", memorySize);
        this.memory = SharedMemory.map(memFd, memorySize);
        this.kickFds = new int[vrings];
        this.callFds = new int[vrings];
        this.availIdx = new int[vrings];
        this.usedSeen = new int[vrings];
        eventCell.set(ValueLayout.JAVA_LONG, 0, 1L);
        try (Arena local = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(local);
            for (int i = 0; i < vrings; i++) {
                kickFds[i] = Libc.eventfd(errno, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
                callFds[i] = Libc.eventfd(errno, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            }
        }
    }

    /** Connects to a back-end listening on {@code path}, retrying until it listens (bounded). */
    public static VhostUserFrontend connect(String path, int queuePairs, int ringSize) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (true) {
            int fd = Sockets.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0, "socket");
            int errno = Sockets.connect(fd, SockAddr.unix(path, false, false));
            if (errno == 0) {
                return new VhostUserFrontend(fd, queuePairs, ringSize);
            }
            Sockets.close(fd);
            if (System.nanoTime() - deadline > 0) {
                throw new ErrnoException("connect to " + path, errno);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** A front-end with its memory laid out and no connection yet: {@link #reconnect} makes one. */
    public static VhostUserFrontend unconnected(int queuePairs, int ringSize) {
        return new VhostUserFrontend(-1, queuePairs, ringSize);
    }

    /** Waits (bounded) for a back-end in client mode to connect to {@code listenFd}. */
    public static VhostUserFrontend accept(int listenFd, int queuePairs, int ringSize) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (true) {
            int fd = Sockets.accept(listenFd);
            if (fd >= 0) {
                return new VhostUserFrontend(fd, queuePairs, ringSize);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no back-end connected within 10 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static long align(long value, long to) {
        return (value + to - 1) & -to;
    }

    public int ringSize() {
        return ringSize;
    }

    // ---- the protocol, as QEMU speaks it ----

    /** Sends a message; {@code payload} is written by the caller into {@link #payload()} first. */
    public void send(int request, int flags, int size, int... fds) {
        message.set(ValueLayout.JAVA_INT, 0, request);
        message.set(ValueLayout.JAVA_INT, 4, Protocol.VERSION | flags);
        message.set(ValueLayout.JAVA_INT, 8, size);
        ScmRights.send(socket, message, Protocol.HEADER_LENGTH + size, fds);
        if (step != null) {
            step.run();
        }
    }

    /** Sends only a header that announces a payload of {@code claimedSize} bytes. */
    public void sendHeader(int request, int flags, int claimedSize) {
        message.set(ValueLayout.JAVA_INT, 0, request);
        message.set(ValueLayout.JAVA_INT, 4, Protocol.VERSION | flags);
        message.set(ValueLayout.JAVA_INT, 8, claimedSize);
        ScmRights.send(socket, message, Protocol.HEADER_LENGTH);
    }

    /** Where the next message's payload goes. */
    public MemorySegment payload() {
        return message.asSlice(Protocol.HEADER_LENGTH);
    }

    public void sendU64(int request, long value, int... fds) {
        payload().set(U64, 0, value);
        send(request, 0, 8, fds);
    }

    public void sendState(int request, int index, int num) {
        payload().set(U32, 0, index);
        payload().set(U32, 4, num);
        send(request, 0, 8);
    }

    /** Waits (bounded) for the reply to {@code request} and returns its first 8 payload bytes. */
    public long reply(int request) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        int read = 0;
        while (read < Protocol.HEADER_LENGTH || read < Protocol.HEADER_LENGTH + message.get(ValueLayout.JAVA_INT, 8)) {
            int want = read < Protocol.HEADER_LENGTH ? Protocol.HEADER_LENGTH - read
                    : Protocol.HEADER_LENGTH + message.get(ValueLayout.JAVA_INT, 8) - read;
            long n = receiver.receive(socket, message.address() + read, want, Libc.MSG_DONTWAIT);
            if (n == 0) {
                throw new AssertionError("the back-end closed the connection awaiting the reply to " + Protocol.name(request));
            }
            if (n > 0) {
                read += (int) n;
            } else if (n != -Libc.EAGAIN) {
                throw new ErrnoException("recvmsg", (int) -n);
            } else if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no reply to " + Protocol.name(request) + " within 10 s");
            } else if (step != null) {
                step.run();
            } else {
                LockSupport.parkNanos(100_000);
            }
        }
        if (message.get(ValueLayout.JAVA_INT, 0) != request
                || (message.get(ValueLayout.JAVA_INT, 4) & Protocol.FLAG_REPLY) == 0) {
            throw new AssertionError("expected a reply to " + Protocol.name(request) + ", got "
                    + Protocol.name(message.get(ValueLayout.JAVA_INT, 0)));
        }
        return message.get(U64, Protocol.HEADER_LENGTH);
    }

    /** Whether the back-end closed the connection (waits up to 10 s for it). */
    public boolean awaitClosed() {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        MemorySegment scratch = arena.allocate(64);
        while (System.nanoTime() - deadline < 0) {
            long n = receiver.receive(socket, scratch.address(), 64, Libc.MSG_DONTWAIT);
            if (n == 0 || n < 0 && n != -Libc.EAGAIN) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return false;
    }

    /** Negotiation as QEMU does it: features, protocol features with REPLY_ACK, queue count, owner. */
    public long negotiate(long wantedFeatures) {
        send(Protocol.GET_FEATURES, 0, 0);
        long offered = reply(Protocol.GET_FEATURES);
        long features = offered & wantedFeatures;
        sendU64(Protocol.SET_FEATURES, features);
        if ((features & Protocol.bit(Protocol.VHOST_USER_F_PROTOCOL_FEATURES)) != 0) {
            send(Protocol.GET_PROTOCOL_FEATURES, 0, 0);
            long protocol = reply(Protocol.GET_PROTOCOL_FEATURES);
            sendU64(Protocol.SET_PROTOCOL_FEATURES, protocol & Protocol.PROTOCOL_FEATURES);
            send(Protocol.GET_QUEUE_NUM, 0, 0);
            long queues = reply(Protocol.GET_QUEUE_NUM);
            if (queues < vrings / 2) {
                throw new AssertionError("back-end offers " + queues + " queue pairs");
            }
        }
        send(Protocol.SET_OWNER, 0, 0);
        return features;
    }

    /** SET_MEM_TABLE with the one region, acknowledged (REPLY_ACK). */
    public void sendMemTable() {
        MemorySegment p = payload();
        p.set(U32, 0, 1);
        p.set(U32, 4, 0);
        p.set(U64, 8, GUEST_BASE);
        p.set(U64, 16, memorySize);
        p.set(U64, 24, USER_BASE);
        p.set(U64, 32, 0);
        send(Protocol.SET_MEM_TABLE, Protocol.FLAG_NEED_REPLY, 40, memFd);
        if (reply(Protocol.SET_MEM_TABLE) != 0) {
            throw new AssertionError("SET_MEM_TABLE refused");
        }
    }

    /** Sets vring {@code i} up from {@code base} (its used index is left as the ring holds it) and enables it. */
    public void startVring(int i, int base) {
        sendState(Protocol.SET_VRING_NUM, i, ringSize);
        MemorySegment p = payload();
        p.set(U32, 0, i);
        p.set(U32, 4, 0);
        p.set(U64, 8, USER_BASE + descOffset(i));
        p.set(U64, 16, USER_BASE + usedOffset(i));
        p.set(U64, 24, USER_BASE + availOffset(i));
        p.set(U64, 32, 0);
        send(Protocol.SET_VRING_ADDR, 0, 40);
        sendState(Protocol.SET_VRING_BASE, i, base);
        sendU64(Protocol.SET_VRING_CALL, i, callFds[i]);
        sendU64(Protocol.SET_VRING_KICK, i, kickFds[i]);
        sendState(Protocol.SET_VRING_ENABLE, i, 1);
    }

    /** The whole set-up of a fresh device: negotiation, memory, every vring from index 0. */
    public long setUp(long wantedFeatures) {
        long features = negotiate(wantedFeatures);
        sendMemTable();
        for (int i = 0; i < vrings; i++) {
            startVring(i, 0);
        }
        // A round trip: every message before it was handled when it is answered.
        send(Protocol.GET_QUEUE_NUM, 0, 0);
        reply(Protocol.GET_QUEUE_NUM);
        return features;
    }

    /**
     * {@link #setUp} for a back-end whose agents the caller steps on its own thread: each message is
     * followed by {@code step}, and a reply is awaited stepping.
     */
    public long setUpStepped(long wantedFeatures, Runnable step) {
        this.step = step;
        try {
            return setUp(wantedFeatures);
        } finally {
            this.step = null;
        }
    }

    /** GET_VRING_BASE: stops the vring and returns where the back-end would continue. */
    public int stopVring(int i) {
        sendState(Protocol.GET_VRING_BASE, i, 0);
        reply(Protocol.GET_VRING_BASE);
        return message.get(U32, Protocol.HEADER_LENGTH + 4);
    }

    // ---- the guest's driver ----

    public long descOffset(int vring) {
        return ringStride * vring;
    }

    public long availOffset(int vring) {
        return descOffset(vring) + 16L * ringSize;
    }

    public long usedOffset(int vring) {
        return align(availOffset(vring) + 6 + 2L * ringSize, 4);
    }

    /** Guest-physical address of buffer {@code d} of vring {@code vring}. */
    public long bufferAddress(int vring, int d) {
        return GUEST_BASE + buffersOffset + ((long) vring * ringSize + d) * BUFFER_LENGTH;
    }

    /** A guest-physical address in the scratch page past the buffers (indirect tables go there). */
    public long scratchAddress() {
        return GUEST_BASE + buffersOffset + (long) vrings * ringSize * BUFFER_LENGTH;
    }

    public long guestMemorySize() {
        return memorySize;
    }

    public void writeDescriptor(int vring, int d, long address, int length, int flags, int next) {
        writeDescriptorAt(descOffset(vring) + 16L * d, address, length, flags, next);
    }

    /** Writes a descriptor at guest-physical {@code tableAddress} + 16 * {@code d} (an indirect table). */
    public void writeIndirect(long tableAddress, int d, long address, int length, int flags, int next) {
        writeDescriptorAt(tableAddress - GUEST_BASE + 16L * d, address, length, flags, next);
    }

    private void writeDescriptorAt(long offset, long address, int length, int flags, int next) {
        memory.set(U64, offset, address);
        memory.set(U32, offset + 8, length);
        memory.set(U16, offset + 12, (short) flags);
        memory.set(U16, offset + 14, (short) next);
    }

    public void write(long guestAddress, byte[] bytes, int offset, int length) {
        MemorySegment.copy(bytes, offset, memory, ValueLayout.JAVA_BYTE, guestAddress - GUEST_BASE, length);
    }

    public byte[] read(long guestAddress, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, guestAddress - GUEST_BASE, bytes, 0, length);
        return bytes;
    }

    /** Makes chain {@code head} available on {@code vring} and publishes the new available index. */
    public void pushAvail(int vring, int head) {
        memory.set(U16, availOffset(vring) + 4 + 2L * (availIdx[vring] % ringSize), (short) head);
        availIdx[vring] = (availIdx[vring] + 1) & 0xffff;
        VarHandle.releaseFence();
        memory.set(U16, availOffset(vring) + 2, (short) availIdx[vring]);
    }

    /** Sets the available index as a broken driver might. */
    public void setAvailIdx(int vring, int idx) {
        availIdx[vring] = idx & 0xffff;
        memory.set(U16, availOffset(vring) + 2, (short) idx);
    }

    public void kick(int vring) {
        Libc.write(kickFds[vring], eventCell.address(), 8);
    }

    public int usedIdx(int vring) {
        int idx = memory.get(U16, usedOffset(vring) + 2) & 0xffff;
        VarHandle.acquireFence();
        return idx;
    }

    public int usedId(int vring, int slot) {
        return memory.get(U32, usedOffset(vring) + 4 + 8L * (slot % ringSize));
    }

    public int usedLength(int vring, int slot) {
        return memory.get(U32, usedOffset(vring) + 4 + 8L * (slot % ringSize) + 4);
    }

    /** Whether the back-end signalled vring {@code vring}'s call eventfd since the last look (clears it). */
    public boolean called(int vring) {
        return Libc.read(callFds[vring], eventCell.address() + 8, 8) == 8;
    }

    /** Chains on {@code vring} the back-end has not completed yet. */
    public int inFlight(int vring) {
        return (availIdx[vring] - usedIdx(vring)) & 0xffff;
    }

    /**
     * Transmits {@code length} bytes of {@code frame} on tx vring {@code vring} with a zeroed header
     * in one descriptor; false if the ring is full.
     */
    public boolean transmit(int vring, byte[] frame, int length) {
        if (inFlight(vring) == ringSize) {
            return false;
        }
        int d = availIdx[vring] % ringSize;
        long buffer = bufferAddress(vring, d);
        zeroHeader(buffer);
        write(buffer + NET_HEADER, frame, 0, length);
        writeDescriptor(vring, d, buffer, NET_HEADER + length, 0, 0);
        pushAvail(vring, d);
        return true;
    }

    private void zeroHeader(long buffer) {
        memory.set(U64, buffer - GUEST_BASE, 0L);
        memory.set(U32, buffer - GUEST_BASE + 8, 0);
    }

    /** Writes a zeroed header and {@code frame} into every buffer of tx vring {@code vring}, for {@link #transmitBurst}. */
    public void prepareTransmit(int vring, byte[] frame) {
        for (int d = 0; d < ringSize; d++) {
            zeroHeader(bufferAddress(vring, d));
            write(bufferAddress(vring, d) + NET_HEADER, frame, 0, frame.length);
        }
    }

    /**
     * Transmits up to {@code count} frames of {@code length} bytes already in the buffers
     * ({@link #prepareTransmit}), publishing the available index once; returns how many the ring took.
     * Allocates nothing.
     */
    public int transmitBurst(int vring, int length, int count) {
        int room = ringSize - inFlight(vring);
        int n = Math.min(room, count);
        for (int i = 0; i < n; i++) {
            int d = availIdx[vring] % ringSize;
            writeDescriptor(vring, d, bufferAddress(vring, d), NET_HEADER + length, 0, 0);
            memory.set(U16, availOffset(vring) + 4 + 2L * d, (short) d);
            availIdx[vring] = (availIdx[vring] + 1) & 0xffff;
        }
        if (n > 0) {
            VarHandle.releaseFence();
            memory.set(U16, availOffset(vring) + 2, (short) availIdx[vring]);
        }
        return n;
    }

    /** Asks the back-end not to signal vring {@code vring}'s call eventfd: a polling driver, as DPDK's. */
    public void suppressCalls(int vring) {
        memory.set(U16, availOffset(vring), (short) 1);
    }

    /** Makes receive buffers available on rx vring {@code vring} until it is full; returns how many. */
    public int fillReceive(int vring) {
        int posted = 0;
        while (inFlightReceive(vring) < ringSize) {
            int d = availIdx[vring] % ringSize;
            writeDescriptor(vring, d, bufferAddress(vring, d), BUFFER_LENGTH, F_WRITE, 0);
            pushAvail(vring, d);
            posted++;
        }
        return posted;
    }

    private int inFlightReceive(int vring) {
        return (availIdx[vring] - usedSeen[vring]) & 0xffff;
    }

    /**
     * Frames the back-end completed on rx vring {@code vring} since the last call, each put together
     * from its {@code num_buffers} buffers; the buffers are the driver's again.
     */
    public List<byte[]> received(int vring) {
        List<byte[]> frames = new ArrayList<>();
        int idx = usedIdx(vring);
        while (usedSeen[vring] != idx) {
            int id = usedId(vring, usedSeen[vring]);
            int length = usedLength(vring, usedSeen[vring]);
            byte[] first = read(bufferAddress(vring, id), length);
            int buffers = (first[10] & 0xff) | (first[11] & 0xff) << 8;
            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
            frame.write(first, NET_HEADER, length - NET_HEADER);
            usedSeen[vring] = (usedSeen[vring] + 1) & 0xffff;
            for (int b = 1; b < buffers; b++) {
                if (usedSeen[vring] == idx) {
                    throw new AssertionError("num_buffers " + buffers + " but only " + b + " buffers used");
                }
                int nextId = usedId(vring, usedSeen[vring]);
                int nextLength = usedLength(vring, usedSeen[vring]);
                frame.write(read(bufferAddress(vring, nextId), nextLength), 0, nextLength);
                usedSeen[vring] = (usedSeen[vring] + 1) & 0xffff;
            }
            frames.add(frame.toByteArray());
        }
        return frames;
    }

    /**
     * Counts the frames completed on rx vring {@code vring} and reposts their buffers, without
     * copying or allocating (a benchmark's receiver; every frame in one buffer).
     */
    public int drainReceive(int vring) {
        return drainReceive(vring, -1);
    }

    /**
     * {@link #drainReceive(int)} that also counts, in {@link #wrongLengths}, the frames whose used length (header
     * included) is not {@code usedLength}; -1 checks nothing.
     */
    public int drainReceive(int vring, int usedLength) {
        int idx = usedIdx(vring);
        int frames = (idx - usedSeen[vring]) & 0xffff;
        if (usedLength >= 0) {
            for (int slot = usedSeen[vring], i = 0; i < frames; i++, slot++) {
                if (usedLength(vring, slot) != usedLength) {
                    wrongLengths++;
                }
            }
        }
        usedSeen[vring] = idx;
        for (int i = 0; i < frames; i++) {
            int d = availIdx[vring] % ringSize;
            writeDescriptor(vring, d, bufferAddress(vring, d), BUFFER_LENGTH, F_WRITE, 0);
            memory.set(U16, availOffset(vring) + 4 + 2L * (availIdx[vring] % ringSize), (short) d);
            availIdx[vring] = (availIdx[vring] + 1) & 0xffff;
        }
        if (frames > 0) {
            VarHandle.releaseFence();
            memory.set(U16, availOffset(vring) + 2, (short) availIdx[vring]);
        }
        return frames;
    }

    /** Frames {@link #drainReceive(int, int)} found with another used length than asked for, since the start. */
    public long wrongLengths() {
        return wrongLengths;
    }

    /** Closes the connection, as a front-end that dies does; the memory stays (a VM's keeps running). */
    public void disconnect() {
        Sockets.close(socket);
    }

    /**
     * Connects again to {@code path} (bounded wait) as the same "VM": its memory, rings and driver
     * state stay, as a running VM's do while its back-end restarts; the set-up is the caller's to send.
     */
    public void reconnect(String path) {
        Sockets.close(socket);
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (true) {
            int fd = Sockets.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0, "socket");
            int errno = Sockets.connect(fd, SockAddr.unix(path, false, false));
            if (errno == 0) {
                socket = fd;
                return;
            }
            Sockets.close(fd);
            if (System.nanoTime() - deadline > 0) {
                throw new ErrnoException("connect to " + path, errno);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** The available index the driver has published on {@code vring}. */
    public int availIdx(int vring) {
        return availIdx[vring];
    }

    @Override
    public void close() {
        Sockets.close(socket);
        for (int i = 0; i < vrings; i++) {
            Sockets.close(kickFds[i]);
            Sockets.close(callFds[i]);
        }
        SharedMemory.unmap(memory);
        Sockets.close(memFd);
        arena.close();
    }
}
