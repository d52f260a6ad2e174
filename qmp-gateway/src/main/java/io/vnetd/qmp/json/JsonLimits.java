package io.vnetd.qmp.json;

/**
 * What one JSON text may cost. QEMU's json-streamer.c hard-codes 64 MiB (for a single token and for
 * a whole text alike), 2 Mi tokens and 1024 levels of nesting; a limit that is exceeded answers with
 * QEMU's error and the parser starts over with the following input.
 *
 * @param maxBytes  the most bytes of one token, and of all tokens of one text together
 * @param maxTokens the most tokens in one text
 * @param maxNesting the most open brackets and braces at once
 */
public record JsonLimits(int maxBytes, int maxTokens, int maxNesting) {

    /** QEMU's own limits ({@code MAX_TOKEN_SIZE}, {@code MAX_TOKEN_COUNT}, {@code MAX_NESTING}). */
    public static final JsonLimits QEMU = new JsonLimits(64 << 20, 2 << 20, 1 << 10);

    public JsonLimits {
        if (maxBytes < 1 || maxTokens < 1 || maxNesting < 1) {
            throw new IllegalArgumentException("JSON limits must be positive: " + maxBytes + ", " + maxTokens + ", " + maxNesting);
        }
    }
}
