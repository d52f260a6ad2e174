package io.vnetd.qmp.command;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QAPI's {@code VersionInfo}: the QEMU version whose QMP API vnetd serves, and the package that
 * serves it. Part of the greeting and of {@code query-version}.
 */
public record VersionInfo(VersionTriple qemu, @JsonProperty("package") String packageName) {

    public record VersionTriple(int major, int minor, int micro) {
        public VersionTriple {
            if (major < 0 || minor < 0 || micro < 0) {
                throw new IllegalArgumentException("negative version number: " + major + "." + minor + "." + micro);
            }
        }
    }
}
