package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.Bounded;
import io.vnetd.it.bench.control.LoadClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How long one answer to a listing took, from sending the command to reading the answer's last byte, and its
 * size in bytes; or, when none came (the server refused, dropped the connection, or did not answer in time),
 * why.
 */
record AnswerTime(String command, long nanos, long bytes, String refusal) {

    private static final int TIMES = 3;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final int BRIEF_CHARS = 200;

    /** The median of three answers, each on a connection of its own; the first refusal if any. */
    static AnswerTime measure(Path socket, String command, byte[] encoded) {
        List<AnswerTime> answers = new ArrayList<>();
        for (int i = 0; i < TIMES; i++) {
            AnswerTime answer = once(socket, command, encoded);
            if (answer.refusal() != null) {
                return answer;
            }
            answers.add(answer);
        }
        answers.sort(Comparator.comparingLong(AnswerTime::nanos));
        return answers.get(TIMES / 2);
    }

    private static AnswerTime once(Path socket, String command, byte[] encoded) {
        try {
            return Bounded.call(TIMEOUT, () -> {
                try (LoadClient client = LoadClient.open(socket)) {
                    client.negotiate();
                    long sent = System.nanoTime();
                    client.send(encoded);
                    int bytes = client.awaitReturn();
                    return new AnswerTime(command, System.nanoTime() - sent, bytes, null);
                }
            });
        } catch (Exception e) {
            return new AnswerTime(command, 0, 0, "refused: " + brief(e));
        }
    }

    /**
     * What went wrong, with its causes (such as the server's error behind a failed run), in one line short enough
     * for a cell of the report, and without the cell's separator.
     */
    static String brief(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()).lines().findFirst().orElse(""));
        }
        String line = String.join(": ", messages).replace('|', '/');
        return line.substring(0, Math.min(line.length(), BRIEF_CHARS));
    }

    String describe() {
        return refusal != null ? refusal : String.format("%,.1f ms, %,d bytes", nanos / 1e6, bytes);
    }
}
