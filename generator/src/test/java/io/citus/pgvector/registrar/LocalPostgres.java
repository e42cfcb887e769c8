package io.citus.pgvector.registrar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
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
 * A throwaway PostgreSQL server from the local installation (Debian's {@code postgresql-15}), on
 * 127.0.0.1 with password authentication for the superuser {@code postgres}.
 *
 * <p>PostgreSQL refuses to run as root, so when the tests run as root the server commands run as
 * the {@code postgres} OS user and the data folder is handed to that user. Every started server is
 * also stopped by a shutdown hook, so a crashed test run leaves nothing behind.
 *
 * <pre>{@code
 * Assumptions.assumeTrue(LocalPostgres.unavailableReason().isEmpty(), ...);
 * try (LocalPostgres pg = LocalPostgres.create(tempDir, "coordinator", PASSWORD, true)) {
 *   pg.start();
 *   pg.query("postgres", "SELECT 1");
 * }
 * }</pre>
 */
final class LocalPostgres implements AutoCloseable {

  static final String SUPERUSER = "postgres";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final int SERVER_WAIT_SECONDS = 30;
  private static final Set<LocalPostgres> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(LocalPostgres::stopQuietly)));
  }

  private final Path home;
  private final String name;
  private final String password;
  private final boolean preloadCitus;
  private int port;

  private LocalPostgres(Path home, String name, String password, boolean preloadCitus) {
    this.home = home;
    this.name = name;
    this.password = password;
    this.preloadCitus = preloadCitus;
  }

  // ---------------------------------------------------------------- availability

  /** Empty when servers can be started here; otherwise a reason fit for a skipped test. */
  static Optional<String> unavailableReason() {
    Path initdb = binDir().resolve("initdb");
    if (!Files.isExecutable(initdb)) {
      return Optional.of("no PostgreSQL server installation: " + initdb
          + " is missing (install Debian's postgresql-15, or set -Dpg.bindir=...)");
    }
    if (!Files.isExecutable(psql())) {
      return Optional.of("psql is missing at " + psql());
    }
    if (runningAsRoot() && !Files.isExecutable(Paths.get("/usr/sbin/runuser"))) {
      return Optional.of("running as root, but /usr/sbin/runuser is missing to start PostgreSQL as postgres");
    }
    return Optional.empty();
  }

  /** Empty when the installation has Citus and pgvector; otherwise why not. */
  static Optional<String> citusUnavailableReason() {
    Optional<String> server = unavailableReason();
    if (server.isPresent()) {
      return server;
    }
    Path shareDir = Paths.get(pgConfig("--sharedir"));
    Path libDir = Paths.get(pgConfig("--pkglibdir"));
    for (Path required : List.of(shareDir.resolve("extension/citus.control"),
        shareDir.resolve("extension/vector.control"), libDir.resolve("citus.so"), libDir.resolve("vector.so"))) {
      if (!Files.exists(required)) {
        return Optional.of("Citus and pgvector are not installed in this PostgreSQL (" + required + " is missing)");
      }
    }
    return Optional.empty();
  }

  static Path binDir() {
    String configured = System.getProperty("pg.bindir");
    if (configured != null) {
      return Paths.get(configured);
    }
    String fromPgConfig = pgConfig("--bindir");
    return Paths.get(fromPgConfig.isEmpty() ? "/usr/lib/postgresql/15/bin" : fromPgConfig);
  }

  static Path psql() {
    return binDir().resolve("psql");
  }

  private static String pgConfig(String option) {
    Path pgConfig = Paths.get(System.getProperty("pg.config", "/usr/bin/pg_config"));
    if (!Files.isExecutable(pgConfig)) {
      return "";
    }
    try {
      Result result = run(List.of(pgConfig.toString(), option), Map.of(), Duration.ofSeconds(10));
      return result.exitCode() == 0 ? result.stdout().trim() : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Creates (initdb) a server in {@code parent/name}; not started yet.
   *
   * @param preloadCitus adds {@code shared_preload_libraries = 'citus'}
   */
  static LocalPostgres create(Path parent, String name, String password, boolean preloadCitus) throws IOException {
    LocalPostgres server = new LocalPostgres(parent.resolve(name), name, password, preloadCitus);
    server.port = freePort();
    server.initdb();
    return server;
  }

  int port() {
    return port;
  }

  String name() {
    return name;
  }

  Path logFile() {
    return home.resolve("server.log");
  }

  private Path dataDir() {
    return home.resolve("data");
  }

  private void initdb() throws IOException {
    Files.createDirectories(home.resolve("socket"));
    Path passwordFile = home.resolve("superuser-password");
    Files.writeString(passwordFile, password + "\n");
    handToServerUser(home);
    Result result = runAsServerUser(List.of(binDir().resolve("initdb").toString(), "-D", dataDir().toString(),
        "-U", SUPERUSER, "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8", "--no-sync"));
    Files.delete(passwordFile);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("initdb of " + name + " failed: " + result.stderr());
    }
    List<String> settings = new ArrayList<>(List.of(
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = '" + home.resolve("socket") + "'",
        "wal_level = logical",
        "max_prepared_transactions = 100",
        "fsync = off",
        "full_page_writes = off"));
    if (preloadCitus) {
      settings.add("shared_preload_libraries = 'citus'");
    }
    Files.writeString(dataDir().resolve("postgresql.conf"), "\n" + String.join("\n", settings) + "\n",
        java.nio.file.StandardOpenOption.APPEND);
  }

  /** Starts the server on its port and waits until it accepts connections. */
  void start() throws IOException {
    Result result = runAsServerUser(List.of(binDir().resolve("pg_ctl").toString(), "-D", dataDir().toString(),
        "-l", logFile().toString(), "-o", "-p " + port, "-w", "-t", String.valueOf(SERVER_WAIT_SECONDS), "start"));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("could not start " + name + " on port " + port + ": " + result.stderr()
          + "\n" + logTail());
    }
    RUNNING.add(this);
  }

  /** Fast shutdown (falls back to immediate); no error when not running. */
  void stop() throws IOException {
    if (!Files.exists(dataDir().resolve("postmaster.pid"))) {
      RUNNING.remove(this);
      return;
    }
    Result fast = runAsServerUser(pgCtlStop("fast"));
    if (fast.exitCode() != 0 && Files.exists(dataDir().resolve("postmaster.pid"))) {
      runAsServerUser(pgCtlStop("immediate"));
    }
    RUNNING.remove(this);
  }

  void restart() throws IOException {
    stop();
    start();
  }

  /** Stops the server, throws its data away and creates an empty one on the same port (not started). */
  void wipe() throws IOException {
    stop();
    try (Stream<Path> files = Files.walk(home)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
    initdb();
  }

  private List<String> pgCtlStop(String mode) {
    return List.of(binDir().resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-m", mode, "-w",
        "-t", String.valueOf(SERVER_WAIT_SECONDS), "stop");
  }

  private static void stopQuietly(LocalPostgres server) {
    try {
      server.stop();
    } catch (IOException | RuntimeException ignored) {
      // Best effort from the shutdown hook.
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  // ---------------------------------------------------------------- SQL

  /** Runs one SQL statement with psql over TCP; returns the unaligned, tuples-only output. */
  String query(String database, String sql) throws IOException {
    Result result = psql(database, sql);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("SQL on " + name + " failed: " + sql + "\n" + result.stderr());
    }
    return result.stdout().trim();
  }

  /** Like {@link #query} but never throws on an SQL error. */
  Result psql(String database, String sql) throws IOException {
    return run(List.of(psql().toString(), "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1",
        "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", SUPERUSER, "-d", database, "-c", sql),
        Map.of("PGPASSWORD", password, "PGSSLMODE", "disable", "PGCONNECT_TIMEOUT", "5"), COMMAND_TIMEOUT);
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  // ---------------------------------------------------------------- processes

  record Result(int exitCode, String stdout, String stderr) {
  }

  private Result runAsServerUser(List<String> command) throws IOException {
    List<String> full = new ArrayList<>();
    if (runningAsRoot()) {
      full.addAll(List.of("/usr/sbin/runuser", "-u", SUPERUSER, "--"));
    }
    full.addAll(command);
    return run(full, Map.of(), COMMAND_TIMEOUT);
  }

  static Result run(List<String> command, Map<String, String> env, Duration timeout) throws IOException {
    Path out = Files.createTempFile("local-postgres", ".out");
    Path err = Files.createTempFile("local-postgres", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static void handToServerUser(Path folder) throws IOException {
    if (!runningAsRoot()) {
      return;
    }
    UserPrincipalLookupService lookup = folder.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user = lookup.lookupPrincipalByName(SUPERUSER);
    GroupPrincipal group = lookup.lookupPrincipalByGroupName(SUPERUSER);
    // The server user must also be able to walk into the test's temporary folder.
    for (Path parent = folder.getParent(); parent != null && parent.startsWith(System.getProperty("java.io.tmpdir"))
        && !parent.equals(Paths.get(System.getProperty("java.io.tmpdir"))); parent = parent.getParent()) {
      Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
      permissions.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(parent, permissions);
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.toList()) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
