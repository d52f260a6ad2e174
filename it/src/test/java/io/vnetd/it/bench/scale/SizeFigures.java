package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.Measurement;
import java.util.List;
import java.util.Optional;

/**
 * What one server measured at one size: its footprint empty and what each kind of client added, the commands
 * measured there, the listings' answers, and (vnetd only) its starts after {@code kill -9}
 * (without and with the AOT cache).
 *
 * @param skipped why nothing was measured (skipped, or failed), or {@code null}
 */
record SizeFigures(String target, int size, String skipped, Footprint empty, List<Growth> growth,
                   List<Measurement> commands, List<AnswerTime> listings, List<Restart> restarts) {

    static SizeFigures skipped(String target, int size, String why) {
        return new SizeFigures(target, size, why, null, List.of(), List.of(), List.of(), List.of());
    }

    Optional<Growth> growth(String kind) {
        return growth.stream().filter(g -> g.kind().equals(kind)).findFirst();
    }

    Optional<Measurement> command(String workload) {
        return commands.stream().filter(m -> m.workload().equals(workload)).findFirst();
    }

    Optional<AnswerTime> listing(String command) {
        return listings.stream().filter(a -> a.command().equals(command)).findFirst();
    }
}
