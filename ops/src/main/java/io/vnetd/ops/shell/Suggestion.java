package io.vnetd.ops.shell;

/**
 * One completion of the word under the cursor.
 *
 * @param word        the whole word it completes to
 * @param complete    whether the word is finished (a blank follows it) or goes on ({@code type=}, {@code addr.})
 * @param description what it is, shown beside it in the list
 */
public record Suggestion(String word, boolean complete, String description) {
}
