package io.vnetd.model.nic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** virtio-net's 4096-bit VLAN table, immutable; its JSON form is 1024 hex digits. */
public final class VlanTable {

    public static final int MAX_VLAN = 4096;
    private static final int WORDS = MAX_VLAN / 64;

    public static final VlanTable NONE = new VlanTable(new long[WORDS]);
    public static final VlanTable ALL = filled();

    private final long[] words;

    private VlanTable(long[] words) {
        this.words = words;
    }

    private static VlanTable filled() {
        long[] words = new long[WORDS];
        Arrays.fill(words, -1L);
        return new VlanTable(words);
    }

    public boolean contains(int vid) {
        return (words[vid >>> 6] & (1L << (vid & 63))) != 0;
    }

    public VlanTable with(int vid, boolean member) {
        long[] copy = words.clone();
        if (member) {
            copy[vid >>> 6] |= 1L << (vid & 63);
        } else {
            copy[vid >>> 6] &= ~(1L << (vid & 63));
        }
        return new VlanTable(copy);
    }

    public boolean isEmpty() {
        return Arrays.equals(words, NONE.words);
    }

    /** The member ids, highest first: the order QEMU's query-rx-filter lists them in. */
    public List<Integer> descending() {
        List<Integer> ids = new ArrayList<>();
        for (int vid = MAX_VLAN - 1; vid >= 0; vid--) {
            if (contains(vid)) {
                ids.add(vid);
            }
        }
        return ids;
    }

    /** A copy of the words, for the data plane's per-frame lookups. */
    public long[] toWords() {
        return words.clone();
    }

    @JsonValue
    public String toHex() {
        StringBuilder hex = new StringBuilder(WORDS * 16);
        for (long word : words) {
            hex.append(HexFormat.of().toHexDigits(word));
        }
        return hex.toString();
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static VlanTable fromHex(String hex) {
        if (hex.length() != WORDS * 16) {
            throw new IllegalArgumentException("a VLAN table is " + WORDS * 16 + " hex digits, not " + hex.length());
        }
        long[] words = new long[WORDS];
        for (int i = 0; i < WORDS; i++) {
            words[i] = HexFormat.fromHexDigitsToLong(hex, i * 16, i * 16 + 16);
        }
        return new VlanTable(words);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VlanTable table && Arrays.equals(words, table.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return isEmpty() ? "VlanTable[]" : equals(ALL) ? "VlanTable[all]" : "VlanTable" + descending();
    }
}
