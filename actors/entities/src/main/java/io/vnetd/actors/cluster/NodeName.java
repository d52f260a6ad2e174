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
    private static final String LINK_ROLE_PREFIX = "vnetd-link:";

    /** Where a node's data-plane link listens, as its membership carries it. */
    public record LinkAddress(String host, int port) {
    }

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

    /** The role that tells the other nodes where this node's data-plane link listens. */
    public static String linkRole(String host, int port) {
        return LINK_ROLE_PREFIX + host + ":" + port;
    }

    /** Where {@code member}'s data-plane link listens, if it has one. */
    public static Optional<LinkAddress> link(Member member) {
        return member.getRoles().stream()
                .filter(role -> role.startsWith(LINK_ROLE_PREFIX))
                .map(role -> role.substring(LINK_ROLE_PREFIX.length()))
                .map(address -> new LinkAddress(address.substring(0, address.lastIndexOf(':')),
                        Integer.parseInt(address.substring(address.lastIndexOf(':') + 1))))
                .findFirst();
    }
}
