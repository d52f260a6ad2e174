package io.vnetd.journal;

/** A journal operation that could not be done: the store is full, closed, misconfigured or corrupt. The message says what and where. */
public sealed class JournalException extends RuntimeException permits JournalCorruptException {

    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
