package io.citus.pgvector.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the machine's installation, started for a test on 127.0.0.1 with password
 * (scram-sha-256) authentication for the superuser {@code postgres}. PostgreSQL refuses to run as root, so as root
 * the server runs as the {@code postgres} OS user. Always {@link #close()} it.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String SUPERUSER = "postgres";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Where the server binaries are: -Dpg.bindir, else Debian's PostgreSQL 15. */
    public static final Path BINDIR = Path.of(System.getProperty("pg.bindir", "/usr/lib/postgresql/15/bin"));

    private final Path dir;
    private final int port;
    private final String password;
    private final boolean citus;
    private boolean running;

    private LocalPostgres(Path dir, int port, String password, boolean citus) {
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.citus = citus;
    }

    /** Why no server can be started here, or empty. */
    public static Optional<String> unavailableReason() {
        if (!Files.isExecutable(BINDIR.resolve("initdb")) || !Files.isExecutable(BINDIR.resolve("pg_ctl"))) {
            return Optional.of("no PostgreSQL server binaries in " + BINDIR
                    + " (apt-get install postgresql-15, or -Dpg.bindir=DIR)");
        }
        if (isRoot() && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
            return Optional.of("running as root and no runuser to start PostgreSQL as user postgres");
        }
        return Optional.empty();
    }

    /** Why Citus and pgvector cannot be used here, or empty: both must be installed into this PostgreSQL. */
    public static Optional<String> citusUnavailableReason() {
        Optional<String> server = unavailableReason();
        if (server.isPresent()) {
            return server;
        }
        String sharedir = run(List.of(BINDIR.resolve("pg_config").toString(), "--sharedir")).strip();
        String pkglibdir = run(List.of(BINDIR.resolve("pg_config").toString(), "--pkglibdir")).strip();
        for (Path required : List.of(Path.of(sharedir, "extension/citus.control"),
                Path.of(sharedir, "extension/vector.control"), Path.of(pkglibdir, "citus.so"),
                Path.of(pkglibdir, "vector.so"))) {
            if (!Files.exists(required)) {
                return Optional.of("Citus and pgvector are not installed into " + BINDIR.getParent()
                        + " (missing " + required + ")");
            }
        }
        return Optional.empty();
    }

    /**
     * Initializes and starts a server in a new folder under {@code parent}.
     *
     * @param citus preload Citus (and set what it needs: logical WAL, prepared transactions)
     * @param serverPgpass give the server process a password file for the superuser, so Citus's connections from
     *                     this node to the others authenticate; without it they need {@code pg_dist_authinfo}
     */
    public static LocalPostgres start(Path parent, String name, String password, boolean citus, boolean serverPgpass) {
        try {
            Path dir = Files.createDirectories(parent).resolve(name);
            Files.createDirectories(dir);
            openUp(parent);
            openUp(dir);
            LocalPostgres pg = new LocalPostgres(dir, freePort(), password, citus);
            pg.init(serverPgpass);
            pg.start();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void init(boolean serverPgpass) throws IOException {
        Path pwfile = Files.writeString(dir.resolve("pwfile"), password + "\n");
        chownToPostgres(dir);
        runAsPostgres(List.of(BINDIR.resolve("initdb").toString(), "-D", data().toString(), "-U", SUPERUSER,
                "--auth=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C"));
        Files.delete(pwfile);
        List<String> conf = new ArrayList<>(List.of(
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + dir + "'",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "max_connections = 200",
                "shared_buffers = 64MB",
                "logging_collector = off"));
        if (citus) {
            conf.addAll(List.of("shared_preload_libraries = 'citus'", "wal_level = logical",
                    "max_prepared_transactions = 100", "max_replication_slots = 10", "max_wal_senders = 10"));
        }
        Files.writeString(data().resolve("postgresql.auto.conf"), String.join("\n", conf) + "\n",
                StandardCharsets.UTF_8);
        if (serverPgpass) {
            Files.writeString(dir.resolve("server.pgpass"), "*:*:*:" + SUPERUSER + ":" + password + "\n");
        }
        chownToPostgres(dir);
        if (serverPgpass) {
            runAsPostgres(List.of("chmod", "600", dir.resolve("server.pgpass").toString()));
        }
    }

    /** Starts (or restarts after {@link #stop()}) the server and waits until it accepts connections. */
    public void start() {
        List<String> command = new ArrayList<>();
        if (Files.exists(dir.resolve("server.pgpass"))) {
            command.addAll(List.of("env", "PGPASSFILE=" + dir.resolve("server.pgpass")));
        }
        command.addAll(List.of(BINDIR.resolve("pg_ctl").toString(), "-D", data().toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()),
                "start"));
        runAsPostgres(command);
        running = true;
        awaitConnections();
    }

    /** Stops the server (fast shutdown); the data stays. */
    public void stop() {
        if (running) {
            runAsPostgres(List.of(BINDIR.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w",
                    "stop"));
            running = false;
        }
    }

    /** Stops the server, deletes its data and initializes a new, empty one on the same port: a node rebuilt. */
    public void wipeAndRecreate() {
        stop();
        try {
            runAsPostgres(List.of("rm", "-rf", data().toString()));
            init(Files.exists(dir.resolve("server.pgpass")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /**
     * Appends settings to postgresql.conf, as Patroni writes a cluster's parameters, and reloads the configuration.
     * Only settings that a reload applies take effect without {@link #stop()} and {@link #start()}.
     */
    public void configure(Map<String, String> settings) {
        StringBuilder conf = new StringBuilder("\n");
        settings.forEach((name, value) -> conf.append(name).append(" = '").append(value.replace("'", "''"))
                .append("'\n"));
        try {
            Files.writeString(data().resolve("postgresql.conf"), conf, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reload the configuration on port " + port + ": " + e, e);
        }
    }

    private void awaitConnections() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
                sleep(200);
            }
        }
        throw new IllegalStateException("PostgreSQL on port " + port + " did not accept connections: " + last
                + "\n" + log());
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, password);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=disable&connectTimeout=5";
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    public Path dir() {
        return dir;
    }

    public boolean isRunning() {
        return running;
    }

    public String log() {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read server.log: " + e + ")";
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            deleteTree(dir);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void runAsPostgres(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(START_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                        + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void chownToPostgres(Path path) {
        if (isRoot()) {
            run(List.of("chown", "-R", "postgres:postgres", path.toString()));
        }
    }

    /** The postgres OS user must be able to reach folders that JUnit creates private to root. */
    private static void openUp(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
