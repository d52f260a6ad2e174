package io.vnetd.ops.journal;

/** One event of a journal as the tools show it, decoded into the entity's event record, whichever store held it. */
record JournalEvent(String persistenceId, long sequenceNr, long timestamp, Object event) {
}
