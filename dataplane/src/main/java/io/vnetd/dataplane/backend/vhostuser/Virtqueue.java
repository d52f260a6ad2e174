package io.vnetd.dataplane.backend.vhostuser;

import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One split virtqueue in the front-end's memory (virtio 1.x, section 2.7): the descriptor table, the
 * available ring the driver fills and the used ring the device fills, with its kick and call
 * eventfds. The set-up messages configure it; {@link #walk} resolves a descriptor chain (indirect
 * tables included) into guest memory ranges, checking every index, length and address, so a hostile
 * ring can make a walk fail but never reach outside the mapped regions. Agent thread; the walk and the
 * ring updates allocate nothing.
 *
 * <p>Ordering with the driver on another CPU: the available index is read before the entries it
 * covers (acquire), used entries are written before the used index (release), and the used index is
 * written before the driver's interrupt suppression flag is read (full fence).
 */
final class Virtqueue {

    static final int MAX_SIZE = 32768;
    /** The most descriptors a chain may have (Linux uses at most a few dozen). */
    static final int MAX_CHAIN = 1024;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int DESC_LENGTH = 16;
    private static final int F_NEXT = 1;
    private static final int F_WRITE = 2;
    private static final int F_INDIRECT = 4;
    private static final int AVAIL_F_NO_INTERRUPT = 1;

    final int index;
    private int size;
    private long descAddress;
    private long availAddress;
    private long usedAddress;
    private boolean addressed;
    private int kickFd = -1;
    private int callFd = -1;
    private int errFd = -1;
    private int kickToken = -1;
    /** SET_VRING_ENABLE's, or true from the start without VHOST_USER_F_PROTOCOL_FEATURES. */
    private boolean enabled;
    /** Between the kick descriptor's arrival and GET_VRING_BASE. */
    private boolean started;

    private GuestMemory memory;
    private MemorySegment desc;
    private long descBase;
    private MemorySegment avail;
    private long availBase;
    private MemorySegment used;
    private long usedBase;
    private int mask;
    int lastAvail;
    int usedIdx;
    /** The available index read last: entries up to it can be taken without reading it again. */
    int availSeen;
    private boolean usedChanged;

    /** The chain {@link #walk} resolved: each range's region, offset in it, and length. */
    final int[] chainRegion = new int[MAX_CHAIN];
    final long[] chainOffset = new long[MAX_CHAIN];
    final int[] chainLength = new int[MAX_CHAIN];
    int chainCount;
    long chainBytes;
    /** Why the last walk failed (a constant, so failing allocates nothing either). */
    String failure;

    private final MemorySegment signal = Arena.ofAuto().allocate(2 * Long.BYTES, Long.BYTES);

    Virtqueue(int index) {
        this.index = index;
        signal.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    void setSize(int num) throws ProtocolException {
        if (num <= 0 || num > MAX_SIZE || (num & (num - 1)) != 0) {
            throw new ProtocolException("vring " + index + ": size " + num + " is not a power of two up to " + MAX_SIZE);
        }
        requireStopped("SET_VRING_NUM");
        size = num;
        mask = num - 1;
    }

    void setAddresses(long desc, long used, long avail) throws ProtocolException {
        requireStopped("SET_VRING_ADDR");
        if ((desc & 15) != 0 || (avail & 1) != 0 || (used & 3) != 0) {
            throw new ProtocolException("vring " + index + ": misaligned ring address");
        }
        descAddress = desc;
        usedAddress = used;
        availAddress = avail;
        addressed = true;
    }

    void setBase(int base) throws ProtocolException {
        requireStopped("SET_VRING_BASE");
        lastAvail = base & 0xffff;
    }

    private void requireStopped(String request) throws ProtocolException {
        if (started) {
            throw new ProtocolException(request + " for vring " + index + " while it runs");
        }
    }

    void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Replaces the kick descriptor (-1: none, the ring is polled); returns the one replaced, to deregister. */
    int swapKick(int fd) {
        int old = kickFd;
        kickFd = fd;
        return old;
    }

    int kickFd() {
        return kickFd;
    }

    int kickToken() {
        return kickToken;
    }

    void kickToken(int token) {
        kickToken = token;
    }

    void setCall(int fd) {
        Sockets.close(callFd);
        callFd = fd;
    }

    void setErr(int fd) {
        Sockets.close(errFd);
        errFd = fd;
    }

    /**
     * The ring starts (its kick descriptor arrived): its addresses are translated through
     * {@code memory}, and the used index is taken from the used ring, so that a back-end that
     * restarted continues where the driver saw it stop.
     */
    void start(GuestMemory memory) throws ProtocolException {
        if (size == 0 || !addressed) {
            throw new ProtocolException("vring " + index + " kicked before its size and addresses were set");
        }
        translate(memory);
        usedIdx = used.get(U16, usedBase + 2) & 0xffff;
        availSeen = lastAvail;
        started = true;
    }

    /** Translates the ring addresses again after a new memory table; nothing if the ring is not started. */
    void remap(GuestMemory memory) throws ProtocolException {
        if (started) {
            translate(memory);
        }
    }

    private void translate(GuestMemory memory) throws ProtocolException {
        if (memory == null) {
            throw new ProtocolException("vring " + index + " started before a memory table was set");
        }
        int d = memory.findUserAddress(descAddress, (long) size * DESC_LENGTH);
        int a = memory.findUserAddress(availAddress, 6 + 2L * size);
        int u = memory.findUserAddress(usedAddress, 6 + 8L * size);
        if (d < 0 || a < 0 || u < 0) {
            throw new ProtocolException("vring " + index + ": ring outside the memory table");
        }
        this.memory = memory;
        desc = memory.region(d);
        descBase = descAddress - memory.userAddressBase(d);
        avail = memory.region(a);
        availBase = availAddress - memory.userAddressBase(a);
        used = memory.region(u);
        usedBase = usedAddress - memory.userAddressBase(u);
    }

    /** GET_VRING_BASE: the ring stops; returns the next available index it would have taken. */
    int stop() {
        started = false;
        return lastAvail;
    }

    boolean ready() {
        return started && enabled;
    }

    /**
     * Whether the driver made buffers available beyond those taken.
     *
     * @return the count, or -1 if the available index is more than the ring size ahead (a broken driver)
     */
    int pending() {
        int idx = avail.get(U16, availBase + 2) & 0xffff;
        VarHandle.acquireFence();
        int pending = (idx - lastAvail) & 0xffff;
        if (pending > size) {
            failure = "available index ran more than the ring size ahead";
            return -1;
        }
        availSeen = idx;
        return pending;
    }

    /** The head of the next available chain; the caller checked {@link #pending}. */
    int nextHead() {
        return avail.get(U16, availBase + 4 + 2L * (lastAvail & mask)) & 0xffff;
    }

    /**
     * Resolves the chain at {@code head} into {@link #chainRegion}/{@link #chainOffset}/{@link #chainLength}
     * and {@link #chainBytes}: descriptors the device reads ({@code deviceWrites} false) or writes.
     *
     * @return false (with {@link #failure}) for an index outside the table, a loop, a chain too long, a
     *         range outside guest memory, a descriptor of the wrong direction, or a bad indirect table
     */
    boolean walk(int head, boolean deviceWrites) {
        MemorySegment table = desc;
        long tableBase = descBase;
        int tableSize = size;
        boolean indirect = false;
        int i = head;
        int steps = 0;
        chainCount = 0;
        chainBytes = 0;
        while (true) {
            if (i >= tableSize) {
                failure = "descriptor index outside the table";
                return false;
            }
            long at = tableBase + (long) i * DESC_LENGTH;
            // Two loads, not four: each access of a segment is checked, and a descriptor is 16 bytes.
            long addr = table.get(U64, at);
            long lenFlagsNext = table.get(U64, at + 8);
            long len = lenFlagsNext & 0xffffffffL;
            int flags = (int) (lenFlagsNext >>> 32) & 0xffff;
            int next = (int) (lenFlagsNext >>> 48);
            if ((flags & F_INDIRECT) != 0) {
                if (indirect || (flags & F_NEXT) != 0 || len == 0 || len % DESC_LENGTH != 0
                        || len / DESC_LENGTH > MAX_CHAIN) {
                    failure = "bad indirect descriptor";
                    return false;
                }
                int region = memory.findGuestPhysical(addr, len);
                if (region < 0) {
                    failure = "indirect table outside guest memory";
                    return false;
                }
                table = memory.region(region);
                tableBase = addr - memory.guestPhysicalBase(region);
                tableSize = (int) (len / DESC_LENGTH);
                indirect = true;
                steps = 0;
                i = 0;
                continue;
            }
            if (((flags & F_WRITE) != 0) != deviceWrites) {
                failure = deviceWrites ? "read-only descriptor in a receive chain" : "write-only descriptor in a transmit chain";
                return false;
            }
            if (len > 0) {
                int region = memory.findGuestPhysical(addr, len);
                if (region < 0) {
                    failure = "descriptor outside guest memory";
                    return false;
                }
                if (chainCount == MAX_CHAIN) {
                    failure = "descriptor chain too long";
                    return false;
                }
                chainRegion[chainCount] = region;
                chainOffset[chainCount] = addr - memory.guestPhysicalBase(region);
                chainLength[chainCount] = (int) len;
                chainCount++;
                chainBytes += len;
            }
            if (++steps > tableSize) {
                failure = "loop in a descriptor chain";
                return false;
            }
            if ((flags & F_NEXT) == 0) {
                return true;
            }
            i = next;
        }
    }

    /** The native address of range {@code k} of the last walk (inside a mapped region, checked). */
    long chainAddress(int k) {
        return memory.region(chainRegion[k]).address() + chainOffset[k];
    }

    /** Puts chain {@code head} on the used ring with {@code written} bytes, and takes the next available one. */
    void complete(int head, int written) {
        long at = usedBase + 4 + 8L * (usedIdx & mask);
        used.set(U32, at, head);
        used.set(U32, at + 4, written);
        usedIdx = (usedIdx + 1) & 0xffff;
        lastAvail = (lastAvail + 1) & 0xffff;
        usedChanged = true;
    }

    /** Forgets the completions since {@code lastAvail} and {@code usedIdx} had these values: none was published. */
    void rollBack(int lastAvailBefore, int usedIdxBefore) {
        lastAvail = lastAvailBefore;
        usedIdx = usedIdxBefore;
    }

    /** Publishes the used index after completions and signals the driver unless it asked not to be. */
    void publish() {
        if (!usedChanged) {
            return;
        }
        usedChanged = false;
        VarHandle.releaseFence();
        used.set(U16, usedBase + 2, (short) usedIdx);
        VarHandle.fullFence();
        if (callFd >= 0 && (avail.get(U16, availBase) & AVAIL_F_NO_INTERRUPT) == 0) {
            Libc.write(callFd, signal.address(), Long.BYTES);
        }
    }

    /** Empties the kick eventfd after it was ready. */
    void drainKick() {
        if (kickFd >= 0) {
            Libc.read(kickFd, signal.address() + Long.BYTES, Long.BYTES);
        }
    }

    /** Lets go of the descriptors (the caller deregistered the kick) and the memory it pointed into. */
    void reset() {
        Sockets.close(kickFd);
        Sockets.close(callFd);
        Sockets.close(errFd);
        kickFd = callFd = errFd = -1;
        kickToken = -1;
        started = false;
        enabled = false;
        addressed = false;
        size = 0;
        lastAvail = usedIdx = availSeen = 0;
        memory = null;
        desc = avail = used = null;
    }
}
