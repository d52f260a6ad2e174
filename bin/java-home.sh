# Sourced by ./vnetd, ./bin/test and .ci/run: points JAVA_HOME at a JDK 25 or stops with one line.
vnetd_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}
vnetd_find_jdk() {
    local candidate
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
        if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] \
            && [ "$(vnetd_java_major "$candidate")" -ge 25 ] 2>/dev/null; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}
if ! JAVA_HOME=$(vnetd_find_jdk); then
    echo "vnetd: no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm); install one, e.g. Temurin 25, and set JAVA_HOME" >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# JVM flags lmdbjava, Agrona and Pekko need on JDK 25 (the same list as the root pom's vnetd.jvm.flags).
VNETD_JVM_FLAGS="--enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
# The daemon's heap follows what it holds: after a collection it keeps at most 30 % free (G1 keeps up
# to 70 % by default), so resident memory tracks the network's size (docs/benchmarks-scale.md).
VNETD_DAEMON_FLAGS="-XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10"
