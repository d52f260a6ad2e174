package io.vnetd.ops.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --config} file every vnetd command takes. */
public final class UserConfig {

    private UserConfig() {}

    /**
     * The file's settings, or none when no file is named.
     *
     * @throws StartupException if the file cannot be read or parsed
     */
    public static Config load(Path file) {
        if (file == null) {
            return ConfigFactory.empty();
        }
        if (!Files.isReadable(file)) {
            throw new StartupException("cannot read configuration file '" + file + "'");
        }
        try {
            return ConfigFactory.parseFile(file.toFile());
        } catch (ConfigException e) {
            throw new StartupException("bad configuration file: " + e.getMessage());
        }
    }

    /** The data directory the configuration names, unless {@code dataDir} is given. */
    public static DataDirectory dataDirectory(Path dataDir, Config userFile) {
        if (dataDir != null) {
            return new DataDirectory(dataDir);
        }
        Config early = userFile.withFallback(ConfigFactory.defaultReference()).resolve();
        return new DataDirectory(Path.of(early.getString("vnetd.data-dir")));
    }
}
