package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.Commands;
import io.vnetd.it.bench.control.Measurement;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands measured at a size, one kind after the other, each from {@code clients} clients with one command
 * in flight: {@code netdev_add} of hubports, {@code set_link} on the population's hubports, {@code device_add} of
 * NICs on hubports added for them, {@code netdev_del} of the hubports the first step added. The population is
 * left as it was: {@code set_link} goes down and up again, and the NICs and their hubports are deleted afterwards
 * (unmeasured). Ids and MACs carry the round's number, so that rounds never meet.
 */
record CommandRound(Target target, Population population, int round, int count, int clients) {

    static final String NETDEV_ADD = "netdev_add";
    static final String SET_LINK = "set_link";
    static final String DEVICE_ADD = "device_add";
    static final String NETDEV_DEL = "netdev_del";

    /** Depth of the unmeasured steps, which only prepare or tidy up. */
    private static final int SETUP_DEPTH = 8;
    private static final int MACS_PER_ROUND = 1 << 20;

    /**
     * The measurements in the order above; without {@code device_add} if {@code nics} is false (QEMU's
     * {@code -M none}).
     */
    List<Measurement> measure(boolean nics) throws InterruptedException {
        List<Measurement> measured = new ArrayList<>();
        measured.add(target.run(NETDEV_ADD, clients, 1, count, i -> Commands.netdevAdd(id("a", i), Population.hub(i))));
        measured.add(setLink());
        if (nics) {
            target.run("(hubports for the NICs)", clients, SETUP_DEPTH, count,
                    i -> Commands.netdevAdd(id("b", i), Population.hub(i)));
            measured.add(target.run(DEVICE_ADD, clients, 1, count,
                    i -> Commands.deviceAdd(id("m", i), id("b", i), Population.mac(round * MACS_PER_ROUND + i))));
        }
        measured.add(target.run(NETDEV_DEL, clients, 1, count, i -> Commands.netdevDel(id("a", i))));
        if (nics) {
            target.run("(device_del)", clients, SETUP_DEPTH, count, i -> Commands.deviceDel(id("m", i)));
            target.run("(netdev_del)", clients, SETUP_DEPTH, count, i -> Commands.netdevDel(id("b", i)));
        }
        return measured;
    }

    private String id(String kind, int i) {
        return "r" + round + kind + i;
    }

    /**
     * Down and up again, in pairs, each client on hubports of its own (those without a NIC), so that every command
     * changes a link (vnetd journals nothing for a link already as asked) and every link ends up.
     */
    private Measurement setLink() throws InterruptedException {
        int commands = count - count % (2 * clients); // an even number per client
        return target.run(SET_LINK, clients, 1, commands, k -> {
            int client = k % clients;
            int sent = k / clients;
            int owned = Target.share(population.plainHubports(), clients, client);
            int hubport = client + clients * (sent / 2 % owned);
            return Commands.setLink(population.plainHubport(hubport), sent % 2 == 1);
        });
    }
}
