package io.vnetd.journal.query;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;

/** Creates the read journals of plugin id {@value LmdbReadJournal#Identifier}; Pekko instantiates it from reference.conf. */
public final class LmdbReadJournalProvider implements ReadJournalProvider {

    private final LmdbReadJournal javadsl;
    private final ScalaLmdbReadJournal scaladsl;

    public LmdbReadJournalProvider(ExtendedActorSystem system, Config config) {
        javadsl = new LmdbReadJournal(system, config);
        scaladsl = new ScalaLmdbReadJournal(javadsl);
    }

    @Override
    public ScalaLmdbReadJournal scaladslReadJournal() {
        return scaladsl;
    }

    @Override
    public LmdbReadJournal javadslReadJournal() {
        return javadsl;
    }
}
