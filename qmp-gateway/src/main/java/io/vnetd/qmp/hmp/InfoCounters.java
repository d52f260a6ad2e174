package io.vnetd.qmp.hmp;

import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.service.NetworkView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.StringJoiner;

/**
 * The text of vnetd's HMP {@code info vnetd-counters}: a table of every net client's counters, in
 * creation order, numbers right-aligned: a column for each {@link NetClientCounter} that is no drop,
 * headed by its QMP name, then one naming each reason that dropped frames with its count ({@code 0}
 * when none did). A client without a port shows {@code -} and why.
 *
 * <pre>
 * name  type     link  rx-frames  rx-bytes  tx-frames  tx-bytes  peer-errors  dropped
 * hp0   hubport  up            0         0          5       320            0  peer-absent=5
 * </pre>
 */
final class InfoCounters {

    static final String NAME = "vnetd-counters";
    static final String HELP = "info " + NAME + "  -- show the frame counters of every net client\n";

    private static final List<NetClientCounter> COLUMNS = Arrays.stream(NetClientCounter.values())
            .filter(counter -> counter.dropReason().isEmpty()).toList();
    private static final List<NetClientCounter> DROPS = Arrays.stream(NetClientCounter.values())
            .filter(counter -> counter.dropReason().isPresent()).toList();
    private static final List<String> HEADER = row(List.of("name", "type", "link"),
            COLUMNS.stream().map(NetClientCounter::qmpName).toList(), "dropped");
    /** Columns holding numbers, right-aligned. */
    private static final int FIRST_NUMBER = 3;
    private static final int LAST_NUMBER = FIRST_NUMBER + COLUMNS.size() - 1;

    private InfoCounters() {
    }

    /** @return the table with {@code \n} line ends (the monitor turns them into CR LF) */
    static String format(NetworkView view) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (NetClientInfo c : view.clients()) {
            List<String> client = List.of(c.name(), c.type(), c.linkUp() ? "up" : "down");
            rows.add(c.counters()
                    .map(n -> row(client, COLUMNS.stream().map(counter -> Long.toUnsignedString(n.get(counter))).toList(),
                            drops(n)))
                    .orElseGet(() -> row(client, Collections.nCopies(COLUMNS.size(), "-"), "no port: " + c.status())));
        }
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                boolean last = i == row.size() - 1;
                String pad = " ".repeat(last ? 0 : widths[i] - row.get(i).length());
                if (i >= FIRST_NUMBER && i <= LAST_NUMBER) {
                    out.append(pad).append(row.get(i));
                } else {
                    out.append(row.get(i)).append(pad);
                }
                out.append(last ? "\n" : "  ");
            }
        }
        return out.toString();
    }

    /** A row: the client's columns, one per counter column, then the drops. */
    private static List<String> row(List<String> client, List<String> counters, String drops) {
        List<String> row = new ArrayList<>(client);
        row.addAll(counters);
        row.add(drops);
        return row;
    }

    private static String drops(NetClientCounters n) {
        StringJoiner reasons = new StringJoiner(",");
        for (NetClientCounter drop : DROPS) {
            if (n.get(drop) != 0) {
                reasons.add(drop.dropReason().orElseThrow() + "=" + Long.toUnsignedString(n.get(drop)));
            }
        }
        return reasons.length() == 0 ? "0" : reasons.toString();
    }
}
