package io.vnetd.journal.query;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.scaladsl.ReadJournal;
import org.apache.pekko.stream.scaladsl.Source;

/** Scala API of {@link LmdbReadJournal}: {@code PersistenceQuery(system).readJournalFor[ScalaLmdbReadJournal](Identifier)}. */
public final class ScalaLmdbReadJournal implements ReadJournal, CurrentPersistenceIdsQuery, CurrentEventsByPersistenceIdQuery {

    public static final String Identifier = LmdbReadJournal.Identifier;

    private final LmdbReadJournal javadsl;

    ScalaLmdbReadJournal(LmdbReadJournal javadsl) {
        this.javadsl = javadsl;
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return javadsl.currentPersistenceIds().asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
            long toSequenceNr) {
        return javadsl.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
    }
}
