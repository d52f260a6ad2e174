package io.vnetd.dataplane.backend.vhostuser;

import io.vnetd.dataplane.backend.io.SharedMemory;
import java.lang.foreign.MemorySegment;

/**
 * The front-end's memory table (SET_MEM_TABLE): each region mapped from its descriptor and bounded by
 * its own {@link MemorySegment}, and translation of guest-physical addresses (descriptors) and
 * front-end virtual addresses (ring addresses) into offsets of a region. A translation covers a whole
 * range within one region or fails, so nothing outside the regions can be named. Agent thread.
 */
final class GuestMemory implements AutoCloseable {

    /** A region as the front-end described it, for checking a table before anything is mapped. */
    record Region(long guestPhysical, long size, long userAddress, long mmapOffset) {
    }

    private final long[] guestPhysical;
    private final long[] userAddress;
    private final long[] sizes;
    /** Each region's whole mapping (from offset 0 of its file), unmapped on close. */
    private final MemorySegment[] mappings;
    /** Each region's bytes: its mapping from {@code mmap_offset}, {@code size} long. */
    private final MemorySegment[] regions;
    /** The region the last translation found: consecutive descriptors mostly lie in the same one. */
    private int lastHit;

    private GuestMemory(int count) {
        guestPhysical = new long[count];
        userAddress = new long[count];
        sizes = new long[count];
        mappings = new MemorySegment[count];
        regions = new MemorySegment[count];
    }

    /**
     * Checks the table, then maps each region from its descriptor; the descriptors are the caller's
     * to close (a mapping outlives them).
     *
     * @throws ProtocolException if a region is empty, wraps around, overlaps another, or reaches past
     *                           the end of its file
     * @throws io.vnetd.dataplane.backend.io.ErrnoException if a region cannot be mapped (nothing stays mapped)
     */
    static GuestMemory map(Region[] table, int[] fds) throws ProtocolException {
        check(table);
        GuestMemory memory = new GuestMemory(table.length);
        try {
            for (int i = 0; i < table.length; i++) {
                Region r = table[i];
                if (Long.compareUnsigned(r.size() + r.mmapOffset(), SharedMemory.fileSize(fds[i])) > 0) {
                    throw new ProtocolException("memory region " + i + " reaches past the end of its file");
                }
                memory.guestPhysical[i] = r.guestPhysical();
                memory.userAddress[i] = r.userAddress();
                memory.sizes[i] = r.size();
                memory.mappings[i] = SharedMemory.map(fds[i], r.size() + r.mmapOffset());
                memory.regions[i] = memory.mappings[i].asSlice(r.mmapOffset(), r.size());
            }
        } catch (RuntimeException | ProtocolException e) {
            memory.close();
            throw e;
        }
        return memory;
    }

    private static void check(Region[] table) throws ProtocolException {
        for (int i = 0; i < table.length; i++) {
            Region r = table[i];
            if (r.size() <= 0 || r.mmapOffset() < 0 || r.size() + r.mmapOffset() < 0
                    || Long.compareUnsigned(r.guestPhysical() + r.size() - 1, r.guestPhysical()) < 0
                    || Long.compareUnsigned(r.userAddress() + r.size() - 1, r.userAddress()) < 0) {
                throw new ProtocolException("memory region " + i + " is empty or wraps around");
            }
            for (int j = 0; j < i; j++) {
                Region o = table[j];
                if (Long.compareUnsigned(r.guestPhysical(), o.guestPhysical() + o.size()) < 0
                        && Long.compareUnsigned(o.guestPhysical(), r.guestPhysical() + r.size()) < 0) {
                    throw new ProtocolException("memory regions " + j + " and " + i + " overlap");
                }
            }
        }
    }

    MemorySegment region(int index) {
        return regions[index];
    }

    /**
     * The region holding guest-physical {@code [address, address + length)} whole, or -1.
     * Its offset in the region is {@code address - guestPhysicalBase(region)}.
     */
    int findGuestPhysical(long address, long length) {
        if (within(guestPhysical, lastHit, address, length)) {
            return lastHit;
        }
        for (int i = 0; i < regions.length; i++) {
            if (within(guestPhysical, i, address, length)) {
                lastHit = i;
                return i;
            }
        }
        return -1;
    }

    long guestPhysicalBase(int region) {
        return guestPhysical[region];
    }

    /** The region holding front-end virtual {@code [address, address + length)} whole, or -1. */
    int findUserAddress(long address, long length) {
        for (int i = 0; i < regions.length; i++) {
            if (within(userAddress, i, address, length)) {
                return i;
            }
        }
        return -1;
    }

    long userAddressBase(int region) {
        return userAddress[region];
    }

    private boolean within(long[] bases, int i, long address, long length) {
        if (i >= bases.length || length < 0) {
            return false;
        }
        long offset = address - bases[i];
        // Unsigned: an address below the base makes a huge offset.
        return Long.compareUnsigned(offset, sizes[i]) <= 0 && Long.compareUnsigned(length, sizes[i] - offset) <= 0
                && (length > 0 || Long.compareUnsigned(offset, sizes[i]) < 0);
    }

    @Override
    public void close() {
        for (int i = 0; i < mappings.length; i++) {
            if (mappings[i] != null) {
                SharedMemory.unmap(mappings[i]);
                mappings[i] = null;
                regions[i] = null;
            }
        }
    }
}
