package io.vnetd.ops.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code systemd/vnetd.service} runs the JVM with the flags the daemon needs, the same as {@code ./vnetd}. */
class ServiceUnitTest {

    @Test
    void theUnitsJvmFlagsAreThoseOfJavaHomeSh() throws IOException {
        String unit = Files.readString(Path.of("systemd/vnetd.service"));
        String script = Files.readString(Path.of("../bin/java-home.sh"));
        for (String variable : new String[] {"VNETD_JVM_FLAGS", "VNETD_DAEMON_FLAGS"}) {
            assertEquals(value(script, "^" + variable + "=\"([^\"]*)\"$", variable),
                    value(unit, "^Environment=\"" + variable + "=([^\"]*)\"$", variable), variable);
        }
    }

    private static String value(String text, String regex, String variable) {
        Matcher matcher = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        if (!matcher.find()) {
            throw new AssertionError(variable + " not found by " + regex);
        }
        return matcher.group(1);
    }
}
