package io.citus.pgvector.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Debian's PgBouncer in front of one {@link LocalPostgres}, set up the way the Zalando operator sets up its connection
 * pooler (pooler/pgbouncer.ini.tmpl and pkg/cluster/database.go of operator v2.0.1): clients authenticate with their
 * own database password, which PgBouncer looks up through {@code auth_query} as the login role {@code pooler}
 * calling the SECURITY DEFINER function {@code pooler.user_lookup} the operator installs; {@code auth_type = md5}
 * (SCRAM secrets then use SCRAM), {@code ignore_startup_parameters = extra_float_digits,options} for JDBC, and the
 * pool mode and pool size given. Differences, because they do not change what a client sees: no TLS on either side
 * (the local servers run without SSL), no {@code auth_dbname} (PgBouncer 1.19+; the test database is the lookup
 * database anyway), and Debian's PgBouncer 1.18 has no {@code max_prepared_statements} (the operator's v2.0 image
 * sets 200; see the README on prepared statements). PgBouncer refuses to run as root, so as root it runs as the
 * {@code postgres} OS user.
 */
public final class LocalPgBouncer implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getProperty("pgbouncer.binary", "/usr/sbin/pgbouncer"));
    public static final String POOLER_USER = "pooler";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Set<LocalPgBouncer> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(LocalPgBouncer::stopQuietly)));
    }

    private final Path dir;
    private final int port;

    private LocalPgBouncer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Why PgBouncer cannot be started here, or empty. */
    public static Optional<String> unavailableReason() {
        if (!Files.isExecutable(BINARY)) {
            return Optional.of("no PgBouncer: " + BINARY + " is missing (apt-get install pgbouncer, or"
                    + " -Dpgbouncer.binary=PATH)");
        }
        return LocalPostgres.unavailableReason();
    }

    /**
     * Installs the operator's pooler role and lookup function into {@code database} of {@code server}, then starts
     * PgBouncer in front of it.
     *
     * @param poolMode        transaction or session
     * @param defaultPoolSize server connections per database and user
     */
    public static LocalPgBouncer start(
            Path parent, LocalPostgres server, String database, String poolMode, int defaultPoolSize) {
        String poolerPassword = "pooler-" + Long.toHexString(System.nanoTime());
        installLookup(server, database, poolerPassword);
        try {
            Path dir = Files.createDirectories(parent.resolve("pgbouncer-" + server.name()));
            LocalPostgres.openUp(parent);
            LocalPostgres.openUp(dir);
            LocalPgBouncer bouncer = new LocalPgBouncer(dir, LocalPostgres.freePort());
            Files.writeString(dir.resolve("userlist.txt"), "\"" + POOLER_USER + "\" \"" + poolerPassword + "\"\n");
            Files.writeString(
                    dir.resolve("pgbouncer.ini"),
                    String.join(
                            "\n",
                            "[databases]",
                            "* = host=127.0.0.1 port=" + server.port() + " auth_user=" + POOLER_USER,
                            "[pgbouncer]",
                            "pool_mode = " + poolMode,
                            "listen_addr = 127.0.0.1",
                            "listen_port = " + bouncer.port,
                            "unix_socket_dir =",
                            "auth_type = md5",
                            "auth_file = " + dir.resolve("userlist.txt"),
                            "auth_query = SELECT * FROM pooler.user_lookup($1)",
                            "admin_users = " + POOLER_USER,
                            "logfile = " + dir.resolve("pgbouncer.log"),
                            "pidfile = " + dir.resolve("pgbouncer.pid"),
                            "default_pool_size = " + defaultPoolSize,
                            "reserve_pool_size = 0",
                            "max_client_conn = 1000",
                            "max_db_connections = " + defaultPoolSize,
                            "idle_transaction_timeout = 600",
                            "server_login_retry = 5",
                            "ignore_startup_parameters = extra_float_digits,options",
                            ""));
            LocalPostgres.chownToPostgres(dir);
            LocalPostgres.runAsPostgres(
                    List.of("chmod", "600", dir.resolve("userlist.txt").toString()));
            LocalPostgres.runAsPostgres(List.of(
                    BINARY.toString(), "-d", dir.resolve("pgbouncer.ini").toString()));
            RUNNING.add(bouncer);
            bouncer.awaitConnections(server, database);
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operator's pooler objects: a login role, its schema and the lookup function only that role may run. */
    private static void installLookup(LocalPostgres server, String database, String poolerPassword) {
        try (Connection c = server.connect(database);
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + POOLER_USER + " LOGIN PASSWORD '" + poolerPassword + "'");
            s.execute("CREATE SCHEMA pooler AUTHORIZATION " + POOLER_USER);
            s.execute("""
                    CREATE OR REPLACE FUNCTION pooler.user_lookup(
                        in i_username text, out uname text, out phash text)
                    RETURNS record AS $$
                    BEGIN
                        SELECT usename, passwd FROM pg_catalog.pg_shadow
                        WHERE usename = i_username INTO uname, phash;
                        RETURN;
                    END;
                    $$ LANGUAGE plpgsql SECURITY DEFINER""");
            s.execute("REVOKE ALL ON FUNCTION pooler.user_lookup(text) FROM public, " + POOLER_USER);
            s.execute("GRANT EXECUTE ON FUNCTION pooler.user_lookup(text) TO " + POOLER_USER);
            s.execute("GRANT USAGE ON SCHEMA pooler TO " + POOLER_USER);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot install the pooler lookup on port " + server.port() + ": " + e.getMessage(), e);
        }
    }

    private void awaitConnections(LocalPostgres server, String database) {
        Instant deadline = Instant.now().plus(TIMEOUT);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Connection c =
                    DriverManager.getConnection(jdbcUrl(database), LocalPostgres.SUPERUSER, server.password())) {
                return;
            } catch (SQLException e) {
                last = e;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
        throw new IllegalStateException(
                "PgBouncer on port " + port + " did not accept connections: " + last + "\n" + log());
    }

    /**
     * A JDBC URL through PgBouncer. {@code prepareThreshold=0} keeps pgJDBC on unnamed statements, which is what
     * transaction pooling without protocol-level prepared statement support needs.
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=disable&connectTimeout=5"
                + "&prepareThreshold=0";
    }

    /** The same URL with pgJDBC's defaults for statements (named server-side statements from the 5th execution). */
    public String jdbcUrlWithDriverDefaults(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=disable&connectTimeout=5";
    }

    public int port() {
        return port;
    }

    public String log() {
        try {
            Path log = dir.resolve("pgbouncer.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stopQuietly(this);
    }

    private static void stopQuietly(LocalPgBouncer bouncer) {
        RUNNING.remove(bouncer);
        try {
            Path pidFile = bouncer.dir.resolve("pgbouncer.pid");
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                p.onExit()
                        .orTimeout(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                        .exceptionally(e -> {
                            p.destroyForcibly();
                            return p;
                        })
                        .join();
            });
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop PgBouncer in " + bouncer.dir + ": " + e);
        }
    }
}
