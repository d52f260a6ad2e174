package io.vnetd.journal.postgres;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The PostgreSQL database of a shared journal: where it is, the role to connect as and the file holding its password.
 * Users name it either in the configuration ({@code vnetd.postgres}) or, for the journal tools, as
 * {@code postgres://USER@HOST:PORT/DATABASE}.
 */
public record PostgresDatabase(String jdbcUrl, String user, Optional<Path> passwordFile) {

    private static final String JDBC_PREFIX = "jdbc:postgresql://";
    private static final int DEFAULT_PORT = 5432;

    public PostgresDatabase {
        if (!jdbcUrl.startsWith(JDBC_PREFIX)) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: '" + jdbcUrl + "' (expected " + JDBC_PREFIX
                    + "HOST:PORT/DATABASE)");
        }
        if (user.isEmpty()) {
            throw new IllegalArgumentException("no PostgreSQL user given for " + jdbcUrl);
        }
    }

    /**
     * Reads {@code postgres://USER@HOST[:PORT]/DATABASE}, the form the journal tools take.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code spec}
     */
    public static PostgresDatabase parse(String spec, Optional<Path> passwordFile) {
        URI uri;
        try {
            uri = new URI(spec);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad journal '" + spec + "': " + e.getReason());
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (!"postgres".equals(uri.getScheme()) || uri.getHost() == null || uri.getUserInfo() == null
                || database.isEmpty() || database.contains("/") || uri.getQuery() != null) {
            throw new IllegalArgumentException("bad journal '" + spec
                    + "': expected postgres://USER@HOST[:PORT]/DATABASE (the password comes from --password-file)");
        }
        if (uri.getUserInfo().contains(":")) {
            throw new IllegalArgumentException("bad journal '" + spec
                    + "': put the password in a file and name it with --password-file, not in the journal's address");
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        return new PostgresDatabase(JDBC_PREFIX + host + ":" + port + "/" + database, uri.getUserInfo(), passwordFile);
    }

    /** The database the configuration's {@code vnetd.postgres} block names. */
    public static PostgresDatabase from(Config config) {
        Config block = config.getConfig("vnetd.postgres");
        String file = block.getString("password-file");
        return new PostgresDatabase(block.getString("url"), block.getString("user"),
                file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)));
    }

    /**
     * Settings that point the PostgreSQL plugins ({@code vnetd.journal.postgres}, {@code vnetd.snapshot-store.postgres},
     * {@code vnetd.query.postgres}) at this database, password included.
     *
     * @throws IllegalArgumentException if the password file cannot be read
     */
    public Config pluginConfig() {
        String db = "pekko-persistence-jdbc.shared-databases.vnetd.db.";
        return ConfigFactory.empty()
                .withValue("vnetd.postgres.url", ConfigValueFactory.fromAnyRef(jdbcUrl))
                .withValue("vnetd.postgres.user", ConfigValueFactory.fromAnyRef(user))
                .withValue("vnetd.postgres.password-file",
                        ConfigValueFactory.fromAnyRef(passwordFile.map(Path::toString).orElse("")))
                .withValue(db + "url", ConfigValueFactory.fromAnyRef(jdbcUrl))
                .withValue(db + "user", ConfigValueFactory.fromAnyRef(user))
                .withValue(db + "password", ConfigValueFactory.fromAnyRef(password()));
    }

    /**
     * A plain JDBC connection, for the schema and the tools' checks (the plugins keep their own pool).
     *
     * @throws SQLException with the driver's reason, e.g. the server is unreachable or refuses the role
     */
    public Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password());
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    private String password() {
        if (passwordFile.isEmpty()) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(passwordFile.get(), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : lines.getFirst();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the PostgreSQL password file '" + passwordFile.get() + "': "
                    + e.getMessage());
        }
    }

    /** {@code postgres://USER@HOST:PORT/DATABASE}, for messages (never the password). */
    @Override
    public String toString() {
        return "postgres://" + user + "@" + jdbcUrl.substring(JDBC_PREFIX.length());
    }
}
