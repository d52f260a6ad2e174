package io.vnetd.ops.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code -H} offers on TAB: the monitor's commands, and after {@code info} the items its own {@code info}
 * lists ({@code info network  -- show the network state} gives {@code network}).
 */
public record HumanMonitorCompletion(List<String> commands, List<String> infoItems) implements Completions {

    /** Completion from the text the monitor answers to {@code info}: one {@code info ITEM  -- ...} per line. */
    public static HumanMonitorCompletion fromInfoHelp(String infoHelp) {
        List<String> items = new ArrayList<>();
        for (String line : infoHelp.split("\r?\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("info")) {
                items.add(words[1]);
            }
        }
        return new HumanMonitorCompletion(List.of("info"), List.copyOf(items));
    }

    @Override
    public List<Suggestion> suggest(List<String> words, int index) {
        String word = index < words.size() ? words.get(index) : "";
        List<String> names = index == 0 ? commands
                : index == 1 && words.getFirst().equals("info") ? infoItems : List.of();
        return names.stream().filter(name -> name.startsWith(word)).map(name -> new Suggestion(name, true, null)).toList();
    }
}
