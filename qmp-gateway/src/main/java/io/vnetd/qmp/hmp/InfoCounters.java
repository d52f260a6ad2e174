package io.vnetd.qmp.hmp;

import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.service.NetworkView;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The text of vnetd's HMP {@code info vnetd-counters}: a table of every net client's frame counters,
 * in creation order, numbers right-aligned; the last column names each reason that dropped frames
 * with its count ({@code 0} when none did). A client without a port shows {@code -} and why.
 *
 * <pre>
 * name  type     link  rx-frames  rx-bytes  tx-frames  tx-bytes  dropped
 * hp0   hubport  up            0         0          5       320  peer-absent=5
 * </pre>
 */
final class InfoCounters {

    static final String NAME = "vnetd-counters";
    static final String HELP = "info " + NAME + "  -- show the frame counters of every net client\n";

    private static final String[] HEADER = {"name", "type", "link", "rx-frames", "rx-bytes", "tx-frames", "tx-bytes",
        "dropped"};
    /** Columns holding numbers, right-aligned. */
    private static final int FIRST_NUMBER = 3;
    private static final int LAST_NUMBER = 6;

    private InfoCounters() {
    }

    /** @return the table with {@code \n} line ends (the monitor turns them into CR LF) */
    static String format(NetworkView view) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (NetClientInfo c : view.clients()) {
            String link = c.linkUp() ? "up" : "down";
            rows.add(c.counters().map(n -> new String[] {c.name(), c.type(), link, Long.toUnsignedString(n.rxFrames()),
                    Long.toUnsignedString(n.rxBytes()), Long.toUnsignedString(n.txFrames()),
                    Long.toUnsignedString(n.txBytes()), drops(n)})
                    .orElseGet(() -> new String[] {c.name(), c.type(), link, "-", "-", "-", "-", "no port: " + c.status()}));
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                boolean last = i == row.length - 1;
                String pad = " ".repeat(last ? 0 : widths[i] - row[i].length());
                if (i >= FIRST_NUMBER && i <= LAST_NUMBER) {
                    out.append(pad).append(row[i]);
                } else {
                    out.append(row[i]).append(pad);
                }
                out.append(last ? "\n" : "  ");
            }
        }
        return out.toString();
    }

    private static String drops(NetClientCounters n) {
        StringJoiner reasons = new StringJoiner(",");
        reason(reasons, "link-down", n.droppedLinkDown());
        reason(reasons, "filter", n.droppedFilter());
        reason(reasons, "ring-full", n.droppedRingFull());
        reason(reasons, "peer-absent", n.droppedPeerAbsent());
        reason(reasons, "loop", n.droppedLoop());
        reason(reasons, "not-connected", n.droppedNotConnected());
        reason(reasons, "send-failed", n.droppedSendFailed());
        reason(reasons, "too-long", n.droppedTooLong());
        reason(reasons, "bad-header", n.droppedBadHeader());
        return reasons.length() == 0 ? "0" : reasons.toString();
    }

    private static void reason(StringJoiner reasons, String name, long frames) {
        if (frames != 0) {
            reasons.add(name + "=" + Long.toUnsignedString(frames));
        }
    }
}
