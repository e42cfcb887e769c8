package io.citus.pgvector.testing;

import java.io.File;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the machine's installation, started for a test on 127.0.0.1 with password
 * (scram-sha-256) authentication for the superuser {@code postgres}. PostgreSQL refuses to run as root, so as root
 * the server runs as the {@code postgres} OS user. Always {@link #close()} it; a shutdown hook stops what a crashed
 * test left running.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String SUPERUSER = "postgres";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Set<LocalPostgres> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(LocalPostgres::stopQuietly)));
    }

    /** Where the server binaries are: -Dpg.bindir, else Debian's PostgreSQL 15. */
    public static final Path BINDIR = Path.of(System.getProperty("pg.bindir", "/usr/lib/postgresql/15/bin"));

    /** The output of a finished command. */
    public record Result(int exitCode, String stdout, String stderr) {}

    private final Path dir;
    private final String name;
    private final int port;
    private final String password;
    private final boolean citus;
    private final boolean serverPgpass;
    private boolean sslOnly;

    private LocalPostgres(Path dir, String name, int port, String password, boolean citus, boolean serverPgpass) {
        this.dir = dir;
        this.name = name;
        this.port = port;
        this.password = password;
        this.citus = citus;
        this.serverPgpass = serverPgpass;
    }

    /** Why no server can be started here, or empty. */
    public static Optional<String> unavailableReason() {
        for (String binary : List.of("initdb", "pg_ctl", "psql")) {
            if (!Files.isExecutable(BINDIR.resolve(binary))) {
                return Optional.of("no PostgreSQL server installation: " + BINDIR.resolve(binary)
                        + " is missing (apt-get install postgresql-15, or -Dpg.bindir=DIR)");
            }
        }
        if (isRoot() && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
            return Optional.of("running as root and no /usr/sbin/runuser to start PostgreSQL as user postgres");
        }
        return Optional.empty();
    }

    /** Why Citus and pgvector cannot be used here, or empty: both must be installed into this PostgreSQL. */
    public static Optional<String> citusUnavailableReason() {
        Optional<String> server = unavailableReason();
        if (server.isPresent()) {
            return server;
        }
        String pgConfig = BINDIR.resolve("pg_config").toString();
        String sharedir =
                run(List.of(pgConfig, "--sharedir"), Map.of(), TIMEOUT).stdout().strip();
        String pkglibdir = run(List.of(pgConfig, "--pkglibdir"), Map.of(), TIMEOUT)
                .stdout()
                .strip();
        for (Path required : List.of(
                Path.of(sharedir, "extension/citus.control"),
                Path.of(sharedir, "extension/vector.control"),
                Path.of(pkglibdir, "citus.so"),
                Path.of(pkglibdir, "vector.so"))) {
            if (!Files.exists(required)) {
                return Optional.of("Citus and pgvector are not installed into " + BINDIR.getParent() + " (missing "
                        + required + ")");
            }
        }
        return Optional.empty();
    }

    /**
     * Initializes a server in a new folder {@code parent/name}, not started yet.
     *
     * @param citus preload Citus
     * @param serverPgpass give the server process a password file for the superuser, so Citus's connections from
     *                     this node to the others authenticate; without it they need {@code pg_dist_authinfo}
     */
    public static LocalPostgres create(Path parent, String name, String password, boolean citus, boolean serverPgpass) {
        try {
            Path dir = Files.createDirectories(parent).resolve(name);
            Files.createDirectories(dir);
            openUp(parent);
            openUp(dir);
            LocalPostgres pg = new LocalPostgres(dir, name, freePort(), password, citus, serverPgpass);
            pg.init();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #create} and {@link #start()}. */
    public static LocalPostgres start(Path parent, String name, String password, boolean citus, boolean serverPgpass) {
        LocalPostgres pg = create(parent, name, password, citus, serverPgpass);
        pg.start();
        return pg;
    }

    private void init() throws IOException {
        Path pwfile = Files.writeString(dir.resolve("pwfile"), password + "\n");
        chownToPostgres(dir);
        runAsPostgres(List.of(
                BINDIR.resolve("initdb").toString(),
                "-D",
                data().toString(),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                "--pwfile=" + pwfile,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync"));
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
                "logging_collector = off",
                "wal_level = logical",
                "max_prepared_transactions = 100",
                "max_replication_slots = 10",
                "max_wal_senders = 10"));
        if (citus) {
            conf.add("shared_preload_libraries = 'citus'");
        }
        Files.writeString(
                data().resolve("postgresql.auto.conf"), String.join("\n", conf) + "\n", StandardCharsets.UTF_8);
        if (serverPgpass) {
            Files.writeString(dir.resolve("server.pgpass"), "*:*:*:" + SUPERUSER + ":" + password + "\n");
        }
        chownToPostgres(dir);
        if (serverPgpass) {
            runAsPostgres(List.of("chmod", "600", dir.resolve("server.pgpass").toString()));
        }
    }

    /**
     * Makes the running server take TCP connections only over SSL and with a password, as Spilo's pg_hba does
     * ({@code local all all trust}, {@code hostssl all all all} with a password, {@code hostnossl all all all reject});
     * serve a certificate first ({@link TestCa#serveTls}). This class's own connections then use {@code sslmode=require}.
     */
    public void rejectTcpWithoutSsl() {
        try {
            Files.writeString(
                    data().resolve("pg_hba.conf"),
                    String.join(
                                    "\n",
                                    "local all all trust",
                                    "hostssl all all 127.0.0.1/32 scram-sha-256",
                                    "hostnossl all all all reject")
                            + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chownToPostgres(dir);
        // Reloaded by signal: a TCP connection without SSL may already be refused, and with SSL not yet served.
        runAsPostgres(List.of(BINDIR.resolve("pg_ctl").toString(), "-D", data().toString(), "reload"));
        sslOnly = true;
        awaitConnections();
    }

    /** Starts (or restarts after {@link #stop()}) the server and waits until it accepts connections. */
    public void start() {
        List<String> command = new ArrayList<>();
        if (serverPgpass) {
            command.addAll(List.of("env", "PGPASSFILE=" + dir.resolve("server.pgpass")));
        }
        command.addAll(List.of(
                BINDIR.resolve("pg_ctl").toString(),
                "-D",
                data().toString(),
                "-l",
                logFile().toString(),
                "-w",
                "-t",
                Long.toString(TIMEOUT.toSeconds()),
                "start"));
        runAsPostgres(command);
        RUNNING.add(this);
        awaitConnections();
    }

    /** Stops the server (fast shutdown, immediate if that fails); the data stays. No error when not running. */
    public void stop() {
        if (!Files.exists(data().resolve("postmaster.pid"))) {
            RUNNING.remove(this);
            return;
        }
        Result fast = runAsPostgresResult(pgCtlStop("fast"));
        if (fast.exitCode() != 0 && Files.exists(data().resolve("postmaster.pid"))) {
            runAsPostgres(pgCtlStop("immediate"));
        }
        RUNNING.remove(this);
    }

    public void restart() {
        stop();
        start();
    }

    /** Stops the server and replaces its data with a new, empty cluster on the same port, not started: a rebuild. */
    public void wipe() {
        stop();
        try {
            runAsPostgres(List.of("rm", "-rf", data().toString()));
            init();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #wipe()} and {@link #start()}. */
    public void wipeAndRecreate() {
        wipe();
        start();
    }

    /** Appends settings to postgresql.conf and reloads them, as Patroni does with changed parameters. */
    public void configure(Map<String, String> settings) {
        StringBuilder conf = new StringBuilder("\n");
        settings.forEach((setting, value) -> conf.append(setting)
                .append(" = '")
                .append(value.replace("'", "''"))
                .append("'\n"));
        try {
            Files.writeString(
                    data().resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Timestamp loaded;
        try (Connection c = connect("postgres");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_conf_load_time(), pg_reload_conf()")) {
            r.next();
            loaded = r.getTimestamp(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reload the configuration on port " + port + ": " + e, e);
        }
        awaitReload(loaded);
    }

    /**
     * Waits until the server has read its configuration files again (a reload is a signal the postmaster handles
     * later), so that the next change, e.g. a pg_hba.conf that demands SSL, does not race with this one. Asks with
     * sslmode=prefer, which the configuration before and after an SSL-only pg_hba.conf both accept.
     */
    private void awaitReload(Timestamp before) {
        Instant deadline = Instant.now().plus(TIMEOUT);
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=prefer&connectTimeout=5";
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Connection c = DriverManager.getConnection(url, SUPERUSER, password);
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT pg_conf_load_time()")) {
                r.next();
                if (r.getTimestamp(1).after(before)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            sleep(50);
        }
        throw new IllegalStateException(
                "PostgreSQL on port " + port + " did not reload its configuration: " + last + "\n" + log());
    }

    private List<String> pgCtlStop(String mode) {
        return List.of(
                BINDIR.resolve("pg_ctl").toString(),
                "-D",
                data().toString(),
                "-m",
                mode,
                "-w",
                "-t",
                Long.toString(TIMEOUT.toSeconds()),
                "stop");
    }

    private void awaitConnections() {
        Instant deadline = Instant.now().plus(TIMEOUT);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
                sleep(200);
            }
        }
        throw new IllegalStateException(
                "PostgreSQL on port " + port + " did not accept connections: " + last + "\n" + log());
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, password);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=" + sslMode() + "&connectTimeout=5";
    }

    /** Runs SQL with psql over TCP and returns its unaligned, tuples-only output; fails on an SQL error. */
    public String query(String database, String sql) {
        return queryAs(SUPERUSER, password, database, sql);
    }

    /** {@link #query} as another role. */
    public String queryAs(String user, String userPassword, String database, String sql) {
        Result result = psqlAs(user, userPassword, database, sql);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(
                    "SQL on " + name + " as " + user + " failed: " + sql + "\n" + result.stderr());
        }
        return result.stdout().trim();
    }

    /** Like {@link #query} but returns psql's result, error or not. */
    public Result psql(String database, String sql) {
        return psqlAs(SUPERUSER, password, database, sql);
    }

    /** {@link #psql} as another role. */
    public Result psqlAs(String user, String userPassword, String database, String sql) {
        return runPsql(user, userPassword, database, List.of("-c", sql));
    }

    /**
     * Runs a SQL file as the superuser with psql variables ({@code name=value}), as the chart's scripts run theirs;
     * returns psql's result, error or not.
     */
    public Result psqlFile(String database, Path file, String... variables) {
        List<String> arguments = new ArrayList<>();
        for (String variable : variables) {
            arguments.addAll(List.of("-v", variable));
        }
        arguments.addAll(List.of("-f", file.toString()));
        return runPsql(SUPERUSER, password, database, arguments);
    }

    /** psql over TCP to this server, unaligned and tuples-only, stopping at the first error. */
    private Result runPsql(String user, String userPassword, String database, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(
                psql().toString(),
                "-X",
                "-q",
                "-A",
                "-t",
                "-w",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                user,
                "-d",
                database));
        command.addAll(arguments);
        return run(
                command, Map.of("PGPASSWORD", userPassword, "PGSSLMODE", sslMode(), "PGCONNECT_TIMEOUT", "5"), TIMEOUT);
    }

    /** The libpq sslmode this class connects with: require after {@link #rejectTcpWithoutSsl()}, else disable. */
    public String sslMode() {
        return sslOnly ? "require" : "disable";
    }

    public static Path psql() {
        return BINDIR.resolve("psql");
    }

    public String name() {
        return name;
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

    public Path logFile() {
        return dir.resolve("server.log");
    }

    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile()) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    /** The last lines of the server log, for failure messages. */
    public String logTail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
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

    private static void stopQuietly(LocalPostgres server) {
        try {
            server.stop();
        } catch (RuntimeException ignored) {
            // Best effort, from the shutdown hook.
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static void runAsPostgres(List<String> command) {
        Result result = runAsPostgresResult(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + result.exitCode() + "):\n"
                    + result.stdout() + result.stderr());
        }
    }

    static Result runAsPostgresResult(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("/usr/sbin/runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        return run(full, Map.of(), TIMEOUT);
    }

    /**
     * Runs a command with no standard input, without the caller's PG* environment (so no test depends on the
     * machine's libpq settings) plus {@code env}, bounded by {@code timeout}.
     */
    public static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        try {
            Path out = Files.createTempFile("local-postgres", ".out");
            Path err = Files.createTempFile("local-postgres", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().keySet().removeIf(key -> key.startsWith("PG"));
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command));
                }
                return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** As root, gives {@code path} (recursively) to the postgres OS user; otherwise nothing to do. */
    public static void chownToPostgres(Path path) {
        if (isRoot()) {
            Result result = run(List.of("chown", "-R", "postgres:postgres", path.toString()), Map.of(), TIMEOUT);
            if (result.exitCode() != 0) {
                throw new IllegalStateException("chown " + path + ": " + result.stderr());
            }
        }
    }

    /** The postgres OS user must be able to reach folders that JUnit creates private to root. */
    public static void openUp(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
