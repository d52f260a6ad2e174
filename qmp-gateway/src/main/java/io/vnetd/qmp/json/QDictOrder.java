package io.vnetd.qmp.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order in which QEMU walks the members of a dict. A {@code QDict} is a hash table of 512
 * buckets, hashed with {@code tdb_hash()}; each bucket is a list with the newest entry first. Every
 * dict QEMU prints comes out in this order (hence {@code {"return": ..., "id": ...}} but
 * {@code {"id": ..., "error": ...}}), and where QEMU checks members one by one, the first offending
 * member in this order is the one its error names.
 */
public final class QDictOrder {

    private static final int BUCKETS = 512;
    /**
     * The buckets of the keys seen so far: output keys are mostly the schema's member names, and a listing of
     * 100,000 clients would hash each of them 100,000 times. Bounded, since a value of type 'any' may have any keys.
     */
    private static final Map<String, Integer> KNOWN_BUCKETS = new ConcurrentHashMap<>();
    private static final int MAX_KNOWN_BUCKETS = 4096;

    private QDictOrder() {
    }

    /** The keys of {@code object} (insertion order = the order QEMU inserted them) as QEMU iterates them. */
    public static List<String> keys(ObjectNode object) {
        return members(object).stream().map(Map.Entry::getKey).toList();
    }

    /** The members of {@code object}, keys with their values, as QEMU iterates them (see {@link #keys}). */
    public static List<Map.Entry<String, JsonNode>> members(ObjectNode object) {
        List<Map.Entry<String, JsonNode>> inserted = new ArrayList<>(object.size());
        object.properties().forEach(inserted::add);
        int[] order = order(inserted.stream().map(Map.Entry::getKey).toList());
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(order.length);
        for (int index : order) {
            members.add(inserted.get(index));
        }
        return members;
    }

    /**
     * The order in which QEMU iterates a dict's keys, given in the order they were inserted: their
     * indexes in that list. Leaving keys out does not change the order of the others, so a type's
     * order, computed once, serves each of its values whatever optional members it lacks.
     */
    public static int[] order(List<String> inserted) {
        int size = inserted.size();
        long[] sorted = new long[size];
        for (int i = 0; i < size; i++) {
            // bucket ascending, then most recently inserted first
            sorted[i] = ((long) bucket(inserted.get(i)) << 32) | (size - 1 - i);
        }
        Arrays.sort(sorted);
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = size - 1 - (int) sorted[i];
        }
        return order;
    }

    static int bucket(String key) {
        Integer known = KNOWN_BUCKETS.get(key);
        if (known != null) {
            return known;
        }
        int bucket = Integer.remainderUnsigned(tdbHash(ModifiedUtf8.encode(key)), BUCKETS);
        if (KNOWN_BUCKETS.size() < MAX_KNOWN_BUCKETS) {
            KNOWN_BUCKETS.put(key, bucket);
        }
        return bucket;
    }

    /** {@code tdb_hash()} from qobject/qdict.c (the gdbm hash, via tdb). */
    static int tdbHash(byte[] name) {
        int value = 0x238F13AF * name.length;
        for (int i = 0; i < name.length; i++) {
            value += (name[i] & 0xFF) << (i * 5 % 24);
        }
        return 1103515243 * value + 12345;
    }
}
