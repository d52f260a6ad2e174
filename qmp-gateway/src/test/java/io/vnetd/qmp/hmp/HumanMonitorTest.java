package io.vnetd.qmp.hmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.service.NetworkView;
import io.vnetd.qmp.FakeNetwork;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class HumanMonitorTest {

    private static NetClientInfo hubport(String name, int hub, String peer) {
        return new NetClientInfo(name, "hubport", true, Optional.ofNullable(peer), OptionalInt.of(hub), "", "ok", "local");
    }

    private static String run(HumanMonitor monitor, String line) {
        return monitor.execute(line).toCompletableFuture().join();
    }

    /** The state of netdev_add-hubport.jsonl at its step 13, and QEMU's text for it. */
    @Test
    void infoNetworkAsQemuPrintsIt() {
        NetClientInfo dgram = new NetClientInfo("be0", "dgram", true, Optional.of("hp3"), OptionalInt.empty(),
                "udp=127.0.0.1:17120/127.0.0.1:17121", "ok", "local");
        NetworkView view = new NetworkView(List.of(0, 7, -5, 2147483647), List.of(
                hubport("hp0", 0, null), hubport("hp1", 0, null), hubport("hp2", 7, "hp6"), dgram,
                hubport("hp3", 0, "be0"), hubport("hp6", 0, "hp2"), hubport("hp8", -5, null), hubport("hp9", 2147483647, null)));
        assertEquals("hub 2147483647\n \\ hp9\nhub -5\n \\ hp8\nhub 7\n \\ hp2: hp6: index=0,type=hubport,\nhub 0\n"
                + " \\ hp6: hp2: index=0,type=hubport,\n \\ hp3: be0: index=0,type=dgram,udp=127.0.0.1:17120/127.0.0.1:17121\n"
                + " \\ hp1\n \\ hp0\n", InfoNetwork.format(view));

        // after netdev_del hp3, the dgram backend is listed on its own
        NetClientInfo alone = new NetClientInfo("be0", "dgram", true, Optional.empty(), OptionalInt.empty(),
                "udp=127.0.0.1:17120/127.0.0.1:17121", "ok", "local");
        NetworkView after = new NetworkView(view.hubs(), List.of(
                hubport("hp0", 0, null), hubport("hp1", 0, null), hubport("hp2", 7, "hp6"), alone,
                hubport("hp6", 0, "hp2"), hubport("hp8", -5, null), hubport("hp9", 2147483647, null)));
        assertEquals("hub 2147483647\n \\ hp9\nhub -5\n \\ hp8\nhub 7\n \\ hp2: hp6: index=0,type=hubport,\nhub 0\n"
                + " \\ hp6: hp2: index=0,type=hubport,\n \\ hp1\n \\ hp0\nbe0: index=0,type=dgram,udp=127.0.0.1:17120/127.0.0.1:17121\n",
                InfoNetwork.format(after));
    }

    @Test
    void nicsShowTheirPeer() {
        NetClientInfo nic = new NetClientInfo("nic0", "nic", true, Optional.of("n0"), OptionalInt.empty(),
                "model=virtio-net-pci,macaddr=52:54:00:12:34:56", "ok", "local");
        NetClientInfo netdev = new NetClientInfo("n0", "stream", true, Optional.of("nic0"), OptionalInt.empty(), "listening", "ok", "local");
        NetClientInfo lonely = new NetClientInfo("nic1", "nic", true, Optional.empty(), OptionalInt.empty(), "model=e1000", "ok", "local");
        assertEquals("nic0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:12:34:56\n \\ n0: index=0,type=stream,listening\n"
                + "nic1: index=0,type=nic,model=e1000\n", InfoNetwork.format(new NetworkView(List.of(), List.of(nic, netdev, lonely))));
    }

    /** netdev_add-tap.jsonl: QEMU has a net client per queue and prints each; only the first has a peer. */
    @Test
    void eachQueueOfAMultiQueueNetdevHasItsLine() {
        String queue = "ifname=qotap5,script=no,downscript=no";
        NetClientInfo alone = new NetClientInfo("t5", "tap", true, Optional.empty(), OptionalInt.empty(),
                queue + "\n" + queue, "ok", "local");
        assertEquals("t5: index=0,type=tap," + queue + "\nt5: index=0,type=tap," + queue + "\n",
                InfoNetwork.format(new NetworkView(List.of(), List.of(alone))));

        NetClientInfo onHub = new NetClientInfo("t5", "tap", true, Optional.of("hp0"), OptionalInt.empty(),
                queue + "\n" + queue, "ok", "local");
        assertEquals("hub 0\n \\ hp0: t5: index=0,type=tap," + queue + "\nt5: index=0,type=tap," + queue + "\n",
                InfoNetwork.format(new NetworkView(List.of(0), List.of(onHub, hubport("hp0", 0, "t5")))));

        NetClientInfo underNic = new NetClientInfo("t5", "tap", true, Optional.of("nic0"), OptionalInt.empty(),
                queue + "\n" + queue, "ok", "local");
        NetClientInfo nic = new NetClientInfo("nic0", "nic", true, Optional.of("t5"), OptionalInt.empty(), "model=e1000", "ok", "local");
        assertEquals("t5: index=0,type=tap," + queue + "\nnic0: index=0,type=nic,model=e1000\n \\ t5: index=0,type=tap,"
                + queue + "\n", InfoNetwork.format(new NetworkView(List.of(), List.of(underNic, nic))));
    }

    /** netdev_del.jsonl: hubs outlive their ports. */
    @Test
    void throughTheMonitorWithCrLf() {
        FakeNetwork network = new FakeNetwork();
        HumanMonitor monitor = new HumanMonitor(network);
        network.netdevAdd(new io.vnetd.model.netdev.NetdevConfig.Hubport("clinet", 3, Optional.empty()), Optional.empty());
        network.netdevAdd(new io.vnetd.model.netdev.NetdevConfig.Hubport("h0", 0, Optional.empty()), Optional.empty());
        network.netdevDel("h0");
        assertEquals("hub 0\r\nhub 3\r\n \\ clinet\r\n", run(monitor, "info network"));
        network.netdevAdd(new io.vnetd.model.netdev.NetdevConfig.Hubport("h1", 0, Optional.empty()), Optional.empty());
        assertEquals("hub 0\r\n \\ h1\r\nhub 3\r\n \\ clinet\r\n", run(monitor, "  info   network  "));
    }

    @Test
    void otherCommandLinesGetQemusText() {
        HumanMonitor monitor = new HumanMonitor(new FakeNetwork());
        assertEquals("unknown command: 'xyz'\r\n", run(monitor, "xyz"));
        assertEquals("unknown command: '  xyz'\r\n", run(monitor, "  xyz abc"));
        assertEquals("unknown command: 'info xyz'\r\n", run(monitor, "info xyz"));
        assertEquals("unknown command: 'info '\r\n", run(monitor, "info /x"));
        assertEquals("network: extraneous characters at the end of line\r\n", run(monitor, "info network now"));
        assertEquals("info network  -- show the network state\r\n"
                + "info vnetd-counters  -- show the frame counters of every net client\r\n", run(monitor, "info"));
        assertEquals("", run(monitor, "   "));
        assertEquals("unknown command: 'quit'\r\n", run(monitor, "quit\n"));
    }
}
