package io.vnetd.qmp.visit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Expected values come from GLib 2.74 itself (through Python's ctypes on Debian 12): a
 * {@code g_str_hash} table filled with the keys, the removed ones taken out, then the first key an
 * iterator returns.
 */
class UnvisitedKeysTest {

    private static String first(List<String> keys, List<String> removed) {
        UnvisitedKeys unvisited = new UnvisitedKeys(keys);
        removed.forEach(unvisited::remove);
        return unvisited.first();
    }

    private static List<String> names(String format, int count) {
        return IntStream.range(0, count).mapToObj(i -> String.format(format, i)).toList();
    }

    @Test
    void smallTable() {
        // netdev_add with foo and baz unexpected: QEMU names 'baz'
        assertEquals("baz", first(List.of("baz", "type", "id", "foo"), List.of("type", "id")));
        assertEquals("restrict", first(List.of("hostfwd", "guestfwd", "dns", "net", "ipv6", "restrict", "smb", "tftp", "id"),
                List.of("id", "net", "dns", "smb", "tftp", "ipv6")));
    }

    @Test
    void grownTable() {
        assertEquals("m4", first(names("m%d", 12), List.of("m0", "m3", "m5")));
    }

    @Test
    void grownThenShrunkTable() {
        List<String> keys = names("key-%02d", 40);
        assertEquals("key-22", first(keys, keys.stream().filter(k -> !List.of("key-07", "key-31", "key-22").contains(k)).toList()));
        List<String> hundred = names("p%03d", 100);
        assertEquals("p098", first(hundred, hundred.subList(0, 97)));
    }

    @Test
    void emptyWhenAllVisited() {
        assertNull(first(List.of("a", "b"), List.of("b", "a", "c")));
    }
}
