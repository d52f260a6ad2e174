package io.vnetd.model.netdev;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.model.error.NetException;
import org.junit.jupiter.api.Test;

/** The checks before any state: the id's shape ({@code qmp_netdev_add}) outranks the type ({@code net_client_init1}). */
class NetdevRulesTest {

    private static String refusal(String id, String type) {
        return assertThrows(NetException.class, () -> NetdevRules.checkAdd(id, type)).desc();
    }

    @Test
    void theIdIsCheckedBeforeTheType() {
        assertEquals("Parameter 'id' expects an identifier", refusal("1bad", "nic"));
        assertEquals("Parameter 'id' expects an identifier", refusal("1bad", "netmap"));
        assertEquals("Parameter 'id' expects an identifier", refusal("1bad", "user"));
        assertEquals("Parameter 'id' expects an identifier", refusal("1bad", "tap"));
    }

    @Test
    void aTypeThatIsNoBackendHereIsRefusedByName() {
        assertEquals("network backend 'nic' is not compiled into this binary", refusal("n0", "nic"));
        assertEquals("network backend 'netmap' is not compiled into this binary", refusal("n0", "netmap"));
        assertDoesNotThrow(() -> NetdevRules.checkAdd("t0", "tap"));
    }
}
