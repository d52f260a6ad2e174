package io.vnetd.ops.shell;

import java.util.List;

/** What completes a word of a shell line. */
@FunctionalInterface
public interface Completions {

    /** The suggestions for {@code words.get(index)} (the part of it before the cursor), given the line's other words. */
    List<Suggestion> suggest(List<String> words, int index);
}
