package io.vnetd.it.bench.control;

import java.util.function.IntFunction;

/**
 * What one client sends, in order. A script sets up what it needs (its warm-up absorbs that), and
 * stops only where it leaves the server as it found it, so the runs of one target can follow each
 * other on the same server. Used by one client thread only.
 */
public interface Script {

    /**
     * The next command, or {@code null} when the client is done.
     *
     * @param timeUp whether the measuring window is over: the script should wind down
     */
    byte[] next(boolean timeUp);

    /**
     * {@code set_link} on a hubport of the client's own, alternately down and up, so that every
     * command changes state (vnetd journals nothing for a link already as asked). Adds the hubport
     * first and deletes it at the end.
     */
    static Script setLinkToggles(String id, int hub) {
        byte[][] cycle = {Commands.setLink(id, false), Commands.setLink(id, true)};
        return new Script() {
            private int sent = -1; // the add
            private boolean deleted;

            @Override
            public byte[] next(boolean timeUp) {
                if (sent < 0) {
                    sent = 0;
                    return Commands.netdevAdd(id, hub);
                }
                if (timeUp && sent % cycle.length == 0) {
                    if (deleted) {
                        return null;
                    }
                    deleted = true;
                    return Commands.netdevDel(id);
                }
                return cycle[sent++ % cycle.length];
            }
        };
    }

    /** {@code netdev_add} then {@code netdev_del} of a hubport of the client's own, over and over. */
    static Script addDelPairs(String id, int hub) {
        byte[][] cycle = {Commands.netdevAdd(id, hub), Commands.netdevDel(id)};
        return new Script() {
            private long sent;

            @Override
            public byte[] next(boolean timeUp) {
                return timeUp && sent % cycle.length == 0 ? null : cycle[(int) (sent++ % cycle.length)];
            }
        };
    }

    /**
     * {@code count} commands, {@code command.apply(0)} first, whether the time is up or not: a fixed amount of
     * work.
     */
    static Script of(int count, IntFunction<byte[]> command) {
        return new Script() {
            private int sent;

            @Override
            public byte[] next(boolean timeUp) {
                return sent < count ? command.apply(sent++) : null;
            }
        };
    }
}
