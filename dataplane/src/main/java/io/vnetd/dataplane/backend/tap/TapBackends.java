package io.vnetd.dataplane.backend.tap;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.Tun;
import io.vnetd.dataplane.backend.socket.SocketBackends;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code tap} and {@code bridge} backends ({@code net/tap.c}, {@code net/tap-linux.c}), Linux
 * only, with QEMU 7.2's rules and wording:
 *
 * <ul>
 * <li>{@code tap} makes interface {@code ifname} (default {@code tap%d}; a {@code %d} is numbered by
 * the kernel; cut to 15 bytes) with {@code queues} queues ({@code IFF_MULTI_QUEUE} when more than
 * one), runs {@code script} (default {@value NetdevConfig.Tap#DEFAULT_SCRIPT}) on it and, when the
 * netdev goes (deleted, or vnetd stopping), {@code downscript} (default
 * {@value NetdevConfig.Tap#DEFAULT_DOWNSCRIPT}); only the first queue has scripts, as in QEMU.
 * {@code helper=} instead has the helper make it (on {@code br}, default {@code br0}); {@code br}
 * without {@code helper} is ignored, as QEMU ignores it.</li>
 * <li>{@code bridge} has {@code helper} (default {@value BridgeHelper#DEFAULT_HELPER}) make a tap on
 * {@code br} (default {@value NetdevConfig.Bridge#DEFAULT_BRIDGE}).</li>
 * <li>{@code fd=}, {@code fds=}, {@code vhostfd=}, {@code vhostfds=} name descriptors a client
 * passed with {@code getfd}, which vnetd (running apart from its clients) never has: refused as QEMU
 * refuses an unknown name.</li>
 * <li>{@code vnet_hdr}: accepted; {@code vnet_hdr=on} needs the kernel's {@code IFF_VNET_HDR} as in
 * QEMU, but vnetd has no guest offloads to use it for, so its taps carry plain frames either way.
 * {@code sndbuf} is set ({@code TUNSETSNDBUF}; 0 or absent means unlimited, as QEMU); {@code poll-us}
 * (busy polling for vhost-net) is accepted and has nothing to do.</li>
 * <li>vhost ({@code vhost=on}, {@code vhostforce=on}, a {@code vhostfd}): vnetd moves the frames
 * itself and cannot hand a tap to the kernel's vhost-net, so it refuses, where QEMU 7.2 either fails
 * ({@code vhostforce} without {@code /dev/vhost-net}, worded as QEMU) or aborts. It refuses where QEMU
 * decides on vhost ({@code net_init_tap_one}): once the first queue is made, its up script has run and
 * its send buffer is set (or the helper made the tap), so those errors come first, as in QEMU, and a
 * refused tap is cleaned up as QEMU cleans it up, its down script included.</li>
 * </ul>
 *
 * Any failure leaves nothing behind: the queues made so far are closed.
 */
public final class TapBackends {

    private static final String VHOST_NET = "/dev/vhost-net";

    private TapBackends() {
    }

    /** Makes the tap interface {@code config} asks for and its backend; {@code Backends.Factory} of {@code tap}. */
    public static Backend open(NetdevConfig.Tap config, BackendEnv env) {
        if (config.fd().isPresent()) {
            throw SocketBackends.fdUnavailable(config.fd().get());
        }
        if (config.fds().isPresent()) {
            List<String> fds = fdNames(config.fds().get());
            if (config.vhostfds().isPresent() && fds.size() != fdNames(config.vhostfds().get()).size()) {
                throw NetException.generic("The number of fds passed does not match the number of vhostfds passed");
            }
            throw SocketBackends.fdUnavailable(fds.isEmpty() ? "" : fds.getFirst());
        }
        try {
            if (config.helper().isPresent()) {
                String helper = config.helper().get();
                int fd = BridgeHelper.run(helper, config.br().orElse(NetdevConfig.Bridge.DEFAULT_BRIDGE));
                return adopt(config, env, fd, "helper=" + helper, config.sndbuf());
            }
            return create(config, env);
        } catch (ErrnoException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    /** Has the helper make a tap on the bridge, and makes its backend; {@code Backends.Factory} of {@code bridge}. */
    public static Backend open(NetdevConfig.Bridge config, BackendEnv env) {
        String helper = config.helper().orElse(BridgeHelper.DEFAULT_HELPER);
        String bridge = config.br().orElse(NetdevConfig.Bridge.DEFAULT_BRIDGE);
        int fd = BridgeHelper.run(helper, bridge);
        try {
            return adopt(config, env, fd, "helper=" + helper + ",br=" + bridge, Optional.empty());
        } catch (ErrnoException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    /** QEMU's {@code get_fds}: the names between colons, an empty last one left out. */
    private static List<String> fdNames(String names) {
        List<String> list = new ArrayList<>(List.of(names.split(":", -1)));
        if (!list.isEmpty() && list.getLast().isEmpty()) {
            list.removeLast();
        }
        return list;
    }

    /** QEMU's {@code net_init_tap_one} decides on vhost as below; vnetd can serve none of it. */
    private static void refuseVhost(NetdevConfig.Tap config) {
        boolean forced = config.vhostforce().orElse(false);
        boolean wanted = config.vhost().orElse(config.vhostfd().isPresent() || forced);
        if (!wanted) {
            if (config.vhostfd().isPresent() || config.vhostfds().isPresent()) {
                throw NetException.generic("vhostfd(s)= is not valid without vhost");
            }
            return;
        }
        if (config.vhostfd().isPresent()) {
            throw SocketBackends.fdUnavailable(config.vhostfd().get());
        }
        if (forced && !Files.exists(Path.of(VHOST_NET))) {
            throw NetException.generic("tap: open vhost char device failed: No such file or directory");
        }
        throw NetException.generic("tap: vhost-net is not available with vnetd: vnetd moves the frames itself"
                + " and cannot hand the tap to vhost-net; leave vhost off");
    }

    /**
     * Makes the queues of the interface, runs the up script on the first, sets each queue's send
     * buffer, and decides on vhost after the first. If a later step fails once the first queue is
     * complete, its down script runs as QEMU's clean-up of that queue runs it.
     */
    private static Backend create(NetdevConfig.Tap config, BackendEnv env) {
        String script = config.script().orElse(NetdevConfig.Tap.DEFAULT_SCRIPT);
        String downscript = config.downscript().orElse(NetdevConfig.Tap.DEFAULT_DOWNSCRIPT);
        long queues = config.queueCount();
        boolean multiQueue = queues > 1;
        String ifname = config.ifname().orElse("");
        // Grown as queues are made: the kernel refuses beyond its limit (256) long before memory would.
        List<Integer> fds = new ArrayList<>();
        List<String> infos = new ArrayList<>();
        Optional<TapBackend.DownScript> down = Optional.empty();
        try {
            for (long i = 0; i < queues; i++) {
                Tun.Queue queue = Tun.open(ifname, multiQueue);
                fds.add(queue.fd());
                // Later queues attach to the interface the first one made.
                ifname = queue.ifname();
                if (config.vnetHdr().orElse(false) && !Tun.supportsVnetHeader(queue.fd())) {
                    throw NetException.generic("vnet_hdr=1 requested, but no kernel support for IFF_VNET_HDR available");
                }
                if (i == 0 && NetworkScript.enabled(script)) {
                    NetworkScript.run(script, ifname);
                }
                if (i == 0 && NetworkScript.enabled(downscript)) {
                    down = Optional.of(new TapBackend.DownScript(downscript, ifname));
                }
                setSendBuffer(queue.fd(), config.sndbuf());
                infos.add(i == 0
                        ? "ifname=" + ifname + ",script=" + script + ",downscript=" + downscript
                        : "ifname=" + ifname + ",script=no,downscript=no");
                if (i == 0) {
                    refuseVhost(config);
                }
            }
            return new TapBackend(env, config, fds.stream().mapToInt(Integer::intValue).toArray(), infos, down, 0);
        } catch (RuntimeException e) {
            if (!infos.isEmpty()) {
                down.ifPresent(TapBackend.DownScript::runLogged);
            }
            fds.forEach(Sockets::close);
            throw e;
        }
    }

    /**
     * A backend on a tap the helper made. {@code bridge} gives no send buffer: {@code INT_MAX}, the
     * kernel's default, as QEMU leaves it. A {@code tap} with {@code helper=} decides on vhost last.
     */
    private static Backend adopt(NetdevConfig config, BackendEnv env, int fd, String info, Optional<BigInteger> sndbuf) {
        try (OwnedFd queue = new OwnedFd(fd)) {
            Tun.Adopted tap = Tun.adopt(fd);
            setSendBuffer(fd, sndbuf);
            if (config instanceof NetdevConfig.Tap tapConfig) {
                refuseVhost(tapConfig);
            }
            return queue.handOver(new TapBackend(env, config, new int[] {fd}, List.of(info), Optional.empty(),
                    tap.headerLength()));
        }
    }

    /**
     * QEMU's {@code tap_set_sndbuf}: absent or 0 means {@code INT_MAX}, larger values are capped
     * there; a failure counts only if the option was given.
     */
    private static void setSendBuffer(int fd, Optional<BigInteger> sndbuf) {
        BigInteger max = BigInteger.valueOf(Integer.MAX_VALUE);
        int bytes = sndbuf.map(b -> b.signum() == 0 || b.compareTo(max) > 0 ? Integer.MAX_VALUE : b.intValueExact())
                .orElse(Integer.MAX_VALUE);
        int errno = Tun.setSendBuffer(fd, bytes);
        if (errno != 0 && sndbuf.isPresent()) {
            throw new ErrnoException("TUNSETSNDBUF ioctl failed", errno);
        }
    }
}
