package io.vnetd.ops.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QmpEndpointTest {

    @Test
    void theDaemonsFormsAndQmpShellsFormsAreRead() {
        assertEquals(UnixDomainSocketAddress.of(Path.of("var/qmp.sock")), QmpEndpoint.parse(QmpEndpoint.DEFAULT).address());
        assertEquals(UnixDomainSocketAddress.of(Path.of("/run/vnetd/qmp.sock")), QmpEndpoint.parse("/run/vnetd/qmp.sock").address());
        assertEquals(new InetSocketAddress("127.0.0.1", 4444), QmpEndpoint.parse("tcp:127.0.0.1:4444").address());
        assertEquals("localhost", ((InetSocketAddress) QmpEndpoint.parse("localhost:4444").address()).getHostString());
        assertEquals(new InetSocketAddress("::1", 4444), QmpEndpoint.parse("tcp:[::1]:4444").address());
        assertEquals(UnixDomainSocketAddress.of(Path.of("./a:1")), QmpEndpoint.parse("./a:1").address());
    }

    @Test
    void aMalformedEndpointIsAClearError() {
        assertEquals("QMP endpoint 'tcp:host' is not tcp:HOST:PORT",
                assertThrows(IllegalArgumentException.class, () -> QmpEndpoint.parse("tcp:host")).getMessage());
        assertEquals("QMP endpoint 'tcp:host:99999' is not tcp:HOST:PORT",
                assertThrows(IllegalArgumentException.class, () -> QmpEndpoint.parse("tcp:host:99999")).getMessage());
        assertEquals("QMP endpoint 'unix:' names no socket path",
                assertThrows(IllegalArgumentException.class, () -> QmpEndpoint.parse("unix:")).getMessage());
    }
}
