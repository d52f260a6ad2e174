package io.vnetd.qmp.visit;

import io.vnetd.qmp.json.ModifiedUtf8;
import java.util.Arrays;
import java.util.List;

/**
 * The set of members of a dict not visited yet, kept the way QEMU's input visitor keeps it: in a
 * GLib {@code GHashTable} (GLib 2.74: {@code g_str_hash}, open addressing with quadratic probing,
 * tombstones, in-place rehash on resize), filled in QDict order. When several members are
 * unexpected, QEMU names the first one in this table's slot order, so the table is reproduced
 * exactly rather than approximated: that choice is visible in the error message.
 */
final class UnvisitedKeys {

    private static final int MIN_SHIFT = 3;
    private static final int UNUSED = 0;
    private static final int TOMBSTONE = 1;
    private static final int[] PRIME_MOD = {
        1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071,
        262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689,
        268435399, 536870909, 1073741789, 2147483647
    };

    private int size;
    private int mod;
    private int mask;
    private int nodes;
    private int occupied;
    private int[] hashes;
    private String[] keys;

    /** @param keys the dict's keys in {@link io.vnetd.qmp.json.QDictOrder} */
    UnvisitedKeys(List<String> keys) {
        setShift(MIN_SHIFT);
        hashes = new int[size];
        this.keys = new String[size];
        for (String key : keys) {
            insert(key);
        }
    }

    void remove(String key) {
        int index = lookup(key, hash(key));
        if (!isReal(hashes[index])) {
            return;
        }
        hashes[index] = TOMBSTONE;
        keys[index] = null;
        nodes--;
        maybeResize();
    }

    /** The key {@code g_hash_table_iter_next()} returns first, or null if none is left. */
    String first() {
        for (int i = 0; i < size; i++) {
            if (isReal(hashes[i])) {
                return keys[i];
            }
        }
        return null;
    }

    private void insert(String key) {
        int hash = hash(key);
        int index = lookup(key, hash);
        int old = hashes[index];
        if (isReal(old)) {
            return;
        }
        hashes[index] = hash;
        keys[index] = key;
        nodes++;
        if (old == UNUSED) {
            occupied++;
            maybeResize();
        }
    }

    private int lookup(String key, int hash) {
        int index = toIndex(hash);
        int firstTombstone = -1;
        int step = 0;
        while (hashes[index] != UNUSED) {
            if (hashes[index] == hash) {
                if (key.equals(keys[index])) {
                    return index;
                }
            } else if (hashes[index] == TOMBSTONE && firstTombstone < 0) {
                firstTombstone = index;
            }
            step++;
            index = (index + step) & mask;
        }
        return firstTombstone >= 0 ? firstTombstone : index;
    }

    private void maybeResize() {
        if ((size > nodes * 4 && size > 1 << MIN_SHIFT) || size <= occupied + occupied / 16) {
            resize();
        }
    }

    /** {@code g_hash_table_resize()} with {@code resize_map()}: rehashes in place, evicting as it goes. */
    private void resize() {
        int oldSize = size;
        setShiftFromSize((int) (nodes * 1.333));
        int span = Math.max(oldSize, size);
        if (size > oldSize) {
            hashes = Arrays.copyOf(hashes, size);
            keys = Arrays.copyOf(keys, size);
        }
        boolean[] relocated = new boolean[span];
        for (int i = 0; i < oldSize; i++) {
            int nodeHash = hashes[i];
            if (!isReal(nodeHash)) {
                hashes[i] = UNUSED;
                continue;
            }
            if (relocated[i]) {
                continue;
            }
            hashes[i] = UNUSED;
            String key = keys[i];
            keys[i] = null;
            while (true) {
                int index = toIndex(nodeHash);
                int step = 0;
                while (relocated[index]) {
                    step++;
                    index = (index + step) & mask;
                }
                relocated[index] = true;
                int replaced = hashes[index];
                hashes[index] = nodeHash;
                String evicted = keys[index];
                keys[index] = key;
                if (!isReal(replaced)) {
                    break;
                }
                nodeHash = replaced;
                key = evicted;
            }
        }
        if (size < oldSize) {
            hashes = Arrays.copyOf(hashes, size);
            keys = Arrays.copyOf(keys, size);
        }
        occupied = nodes;
    }

    private void setShiftFromSize(int n) {
        int shift = 0;
        while (n != 0) {
            n >>= 1;
            shift++;
        }
        setShift(Math.max(shift, MIN_SHIFT));
    }

    private void setShift(int shift) {
        size = 1 << shift;
        mod = PRIME_MOD[shift];
        mask = size - 1;
    }

    private int toIndex(int hash) {
        return Integer.remainderUnsigned(hash * 11, mod);
    }

    private static boolean isReal(int hash) {
        return hash != UNUSED && hash != TOMBSTONE;
    }

    /** {@code g_str_hash()}: djb2 over the bytes as signed chars; 0 and 1 are reserved, so they become 2. */
    private static int hash(String key) {
        int h = 5381;
        for (byte b : ModifiedUtf8.encode(key)) {
            h = h * 33 + b;
        }
        return isReal(h) ? h : 2;
    }
}
