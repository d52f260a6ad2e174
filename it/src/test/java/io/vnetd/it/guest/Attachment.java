package io.vnetd.it.guest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnetd.it.support.QmpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How a guest's NIC reaches vnetd over a UNIX socket: the QEMU arguments of the NIC and its netdev,
 * and the vnetd netdev at the other end of the socket.
 */
sealed interface Attachment {

    /** Each guest gets this much memory; a vhost-user back-end maps all of it. */
    String MEMORY = "256M";

    /** The machine, netdev and NIC arguments of the guest's QEMU, the NIC having {@code mac}. */
    List<String> qemuArguments(Path socket, String mac);

    /** The {@code netdev_add} arguments of vnetd's end, named {@code id}. */
    String vnetdNetdev(String id, Path socket);

    /**
     * Whether vnetd's end must exist before the guest's QEMU starts: QEMU's vhost-user netdev waits
     * at startup for its back-end to answer.
     */
    boolean vnetdFirst();

    /** Skips the calling tests, saying why, unless vnetd offers this netdev type. */
    void assumeOffered(QmpClient vnetd) throws IOException;

    /**
     * QEMU 7.2's stream netdev listening, vnetd's stream netdev connecting to it: vnetd's client
     * connects again after vnetd restarts, which QEMU 7.2's client (no {@code reconnect}) would not.
     */
    record Stream() implements Attachment {

        @Override
        public List<String> qemuArguments(Path socket, String mac) {
            return List.of("-machine", "q35", "-m", MEMORY,
                    "-netdev", "stream,id=nic,server=on,addr.type=unix,addr.path=" + socket,
                    "-device", "virtio-net-pci,netdev=nic,mac=" + mac + ",romfile=");
        }

        @Override
        public String vnetdNetdev(String id, Path socket) {
            return "{\"type\":\"stream\",\"id\":\"" + id + "\",\"server\":false,\"reconnect\":1,"
                    + "\"addr\":{\"type\":\"unix\",\"path\":\"" + socket + "\"}}";
        }

        @Override
        public boolean vnetdFirst() {
            return false;
        }

        @Override
        public void assumeOffered(QmpClient vnetd) {
            // vnetd has always had the stream netdev.
        }

        @Override
        public String toString() {
            return "stream";
        }
    }

    /**
     * A vhost-user port of vnetd listening (its default), QEMU's vhost-user netdev connecting to it
     * with {@code reconnect=1}, so that the guest's NIC comes back to a restarted vnetd. The guest's
     * memory is a shared memfd the back-end maps; {@code vectors=0} avoids QEMU 7.2's crash under TCG
     * when it starts vhost with MSI-X vectors.
     */
    record VhostUser() implements Attachment {

        static final String NETDEV_TYPE = "__io.vnetd_vhost-user-port";

        @Override
        public List<String> qemuArguments(Path socket, String mac) {
            return List.of("-object", "memory-backend-memfd,id=mem,size=" + MEMORY + ",share=on",
                    "-machine", "q35,memory-backend=mem", "-m", MEMORY,
                    "-chardev", "socket,id=vhost,path=" + socket + ",reconnect=1",
                    "-netdev", "vhost-user,id=nic,chardev=vhost",
                    "-device", "virtio-net-pci,netdev=nic,mac=" + mac + ",romfile=,vectors=0");
        }

        @Override
        public String vnetdNetdev(String id, Path socket) {
            return "{\"type\":\"" + NETDEV_TYPE + "\",\"id\":\"" + id + "\",\"path\":\"" + socket + "\"}";
        }

        @Override
        public boolean vnetdFirst() {
            return true;
        }

        @Override
        public void assumeOffered(QmpClient vnetd) throws IOException {
            String schema = vnetd.ok("query-qmp-schema", null).toString();
            assumeTrue(schema.contains("\"" + NETDEV_TYPE + "\""),
                    "this vnetd has no netdev type " + NETDEV_TYPE + " (query-qmp-schema lacks it): vhost-user guest tests skipped");
        }

        @Override
        public String toString() {
            return "vhost-user";
        }
    }
}
