package io.vnetd.journal;

/**
 * One journal record as stored: {@code bytes} is a PersistentRepr serialized by the serializer {@code serializerId}.
 * The array is owned by the record; nobody changes it.
 */
public record StoredEvent(String persistenceId, long sequenceNr, int serializerId, byte[] bytes) {}
