package io.vnetd.actors.cluster;

import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.Member;

/**
 * A vnetd node's name, and how a cluster member carries it: as the role {@code vnetd-node:NAME}, so
 * that every node can tell who is who from the membership alone.
 */
public final class NodeName {

    /** What a valid name looks like, as a sentence ending an error message. */
    public static final String RULE = "must start with a letter and contain only letters, digits, '-', '.' and '_'";

    private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,62}");
    private static final String ROLE_PREFIX = "vnetd-node:";

    private NodeName() {
    }

    public static boolean isValid(String name) {
        return VALID.matcher(name).matches();
    }

    public static String role(String name) {
        return ROLE_PREFIX + name;
    }

    /** The vnetd node name of {@code member}, if it is a vnetd node. */
    public static Optional<String> of(Member member) {
        return member.getRoles().stream()
                .filter(role -> role.startsWith(ROLE_PREFIX))
                .map(role -> role.substring(ROLE_PREFIX.length()))
                .findFirst();
    }
}
