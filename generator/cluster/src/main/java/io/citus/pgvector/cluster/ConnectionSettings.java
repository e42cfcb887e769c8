package io.citus.pgvector.cluster;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where the coordinator is and how to log in, resolved the way psql does: explicit options win over a
 * {@code postgresql://} URI, which wins over PGHOST/PGPORT/PGUSER/PGDATABASE/PGSSLMODE, which win over the defaults
 * (localhost, 5432, postgres, the user's name as database). The password never appears in {@link #toString()}.
 */
public record ConnectionSettings(String host, int port, String user, String database, String sslMode, String password) {

    private static final Set<String> SSL_MODES =
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    public ConnectionSettings {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        if (!SSL_MODES.contains(sslMode)) {
            throw new IllegalArgumentException("sslmode must be one of "
                    + String.join(", ", SSL_MODES.stream().sorted().toList()) + ", got \"" + sslMode + "\"");
        }
    }

    /** What the user gave: each field null when not given. */
    public record Given(String uri, String host, Integer port, String user, String database, String sslMode) {}

    /**
     * Resolves the settings.
     *
     * @param env the environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE, PGPASSWORD)
     * @param password the password from a file, or null to take PGPASSWORD (or the URI's, or none)
     */
    public static ConnectionSettings resolve(Given given, Map<String, String> env, String password) {
        String host = env.get("PGHOST");
        String port = env.get("PGPORT");
        String user = env.get("PGUSER");
        String database = env.get("PGDATABASE");
        String sslMode = env.get("PGSSLMODE");
        String uriPassword = null;
        if (given.uri() != null) {
            URI uri = parseUri(given.uri());
            if (uri.getHost() != null) {
                host = uri.getHost();
            }
            if (uri.getPort() != -1) {
                port = Integer.toString(uri.getPort());
            }
            if (uri.getRawUserInfo() != null) {
                String[] userInfo = uri.getRawUserInfo().split(":", 2);
                user = decode(userInfo[0]);
                if (userInfo.length == 2) {
                    uriPassword = decode(userInfo[1]);
                }
            }
            String path = uri.getRawPath();
            if (path != null && path.length() > 1) {
                database = decode(path.substring(1));
            }
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    String[] kv = pair.split("=", 2);
                    if (kv.length == 2 && kv[0].equals("sslmode")) {
                        sslMode = decode(kv[1]);
                    } else if (kv.length == 2 && kv[0].equals("host")) {
                        host = decode(kv[1]);
                    } else if (kv.length == 2 && kv[0].equals("port")) {
                        port = kv[1];
                    } else if (kv.length == 2 && kv[0].equals("user")) {
                        user = decode(kv[1]);
                    } else if (kv.length == 2 && kv[0].equals("dbname")) {
                        database = decode(kv[1]);
                    } else {
                        throw new IllegalArgumentException("unsupported connection URI parameter \"" + kv[0]
                                + "\" (supported: host, port, user, dbname, sslmode)");
                    }
                }
            }
        }
        host = firstNonEmpty(given.host(), host, "localhost");
        int portNumber = given.port() != null ? given.port() : parsePort(firstNonEmpty(port, "5432"));
        user = firstNonEmpty(given.user(), user, "postgres");
        database = firstNonEmpty(given.database(), database, user);
        sslMode = firstNonEmpty(given.sslMode(), sslMode, "prefer");
        String resolvedPassword = password != null ? password : firstNonEmpty(env.get("PGPASSWORD"), uriPassword, null);
        return new ConnectionSettings(host, portNumber, user, database, sslMode, resolvedPassword);
    }

    private static URI parseUri(String text) {
        if (!text.startsWith("postgresql://") && !text.startsWith("postgres://")) {
            throw new IllegalArgumentException(
                    "the connection URI must start with postgresql://, got \"" + redact(text) + "\"");
        }
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the connection URI is not valid: " + e.getReason());
        }
    }

    /** The URI with any password replaced, for messages. */
    static String redact(String uri) {
        return uri.replaceFirst("^(\\w+://[^:/@]*):[^@/]*@", "$1:***@");
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number, got \"" + text + "\"");
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String firstNonEmpty(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isEmpty()) {
                return candidate;
            }
        }
        return null;
    }

    /** The JDBC URL, without user or password. */
    public String jdbcUrl() {
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + hostPart + ":" + port + "/" + database;
    }

    /** Opens a connection to the database. */
    public Connection connect() throws SQLException {
        return connect(false);
    }

    /**
     * Opens a connection to the database; with {@code readSecondaries} through the read endpoint of replica reads:
     * {@code citus.use_secondary_nodes = 'always'} set at connection start, so Citus reads the workers' secondaries.
     */
    public Connection connect(boolean readSecondaries) throws SQLException {
        Properties properties = new Properties();
        if (readSecondaries) {
            properties.setProperty("options", "-c citus.use_secondary_nodes=always");
        }
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("sslmode", sslMode);
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", "citus-pgvector");
        return DriverManager.getConnection(jdbcUrl(), properties);
    }

    /** Whether the host is this machine (localhost or a loopback address): a cluster a user may change freely. */
    public boolean onThisMachine() {
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return name.equals("localhost") || name.startsWith("127.") || name.equals("::1");
    }

    /** user@host:port/database, for reports. */
    public String describe() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "ConnectionSettings[" + describe() + ", sslmode=" + sslMode + ", password="
                + (password == null ? "none" : "***") + "]";
    }
}
