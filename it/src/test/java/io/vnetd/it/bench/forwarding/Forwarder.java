package io.vnetd.it.bench.forwarding;

import io.vnetd.it.interop.Qemu;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A process that forwards frames between netdevs given on its command line: QEMU 7.2 or vnetd. */
sealed interface Forwarder extends AutoCloseable {

    String name();

    long pid();

    @Override
    void close() throws IOException;

    /** QEMU 7.2 with no guest, the netdevs as {@code -netdev} options. */
    record QemuForwarder(Qemu qemu) implements Forwarder {
        static QemuForwarder start(Path dir, List<String> netdevs) throws IOException {
            return new QemuForwarder(Qemu.start(Files.createDirectories(dir), netdevs));
        }

        @Override
        public String name() {
            return "QEMU 7.2";
        }

        @Override
        public long pid() {
            return qemu.pid();
        }

        @Override
        public void close() throws IOException {
            qemu.close();
        }
    }

    /** The vnetd daemon, the same netdevs as {@code -netdev} options. */
    record VnetdForwarder(VnetdProcess daemon) implements Forwarder {
        static VnetdForwarder start(Path dir, List<String> netdevs) throws IOException {
            List<String> args = new ArrayList<>();
            for (String netdev : netdevs) {
                args.add("-netdev");
                args.add(netdev);
            }
            return new VnetdForwarder(VnetdProcess.start(Files.createDirectories(dir), args.toArray(String[]::new)));
        }

        @Override
        public String name() {
            return "vnetd";
        }

        @Override
        public long pid() {
            return daemon.pid();
        }

        @Override
        public void close() {
            try {
                daemon.terminate();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
