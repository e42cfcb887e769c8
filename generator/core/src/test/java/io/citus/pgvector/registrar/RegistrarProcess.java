package io.citus.pgvector.registrar;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The shipped registrar script run as a child process the way the sidecar runs it ({@code /bin/bash
 * registrar.sh}) from the files of the chart's registrar ConfigMap, written flat into one folder as
 * the sidecar's volume mounts them (the script, the scripts' library, the registrar's SQL), with the
 * sidecar's environment pointed at local servers. {@link #stop()} sends SIGTERM, as Kubernetes does,
 * and returns the exit code.
 */
final class RegistrarProcess implements AutoCloseable {

  /** The script in the chart's sources. */
  static final Path SOURCE = ProjectFiles.committedChart().resolve("files/registrar.sh");
  /** The script as the sidecar runs it, beside the other files of its ConfigMap. */
  static final Path SCRIPT = mount(Path.of("target", "registrar-configmap"));
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final Path logFile;
  private final Path statusFile;
  private final Map<String, String> env;

  private RegistrarProcess(Process process, Path logFile, Path statusFile, Map<String, String> env) {
    this.process = process;
    this.logFile = logFile;
    this.statusFile = statusFile;
    this.env = env;
  }

  /**
   * Starts a registrar that registers the worker at 127.0.0.1:{@code workerPort} with the
   * coordinator at 127.0.0.1:{@code coordinatorPort}.
   *
   * @param dir where its log and status file go
   */
  static RegistrarProcess start(Path dir, String id, int coordinatorPort, int workerPort, String database,
      String password) throws IOException {
    return start(dir, id, coordinatorPort, workerPort, database, password, Map.of());
  }

  /** {@link #start} with {@code overrides} over the sidecar's environment (hosts, TLS settings). */
  static RegistrarProcess start(Path dir, String id, int coordinatorPort, int workerPort, String database,
      String password, Map<String, String> overrides) throws IOException {
    Files.createDirectories(dir);
    Map<String, String> env = new HashMap<>();
    env.put("PATH", LocalPostgres.BINDIR + ":/usr/local/bin:/usr/bin:/bin");
    env.put("COORDINATOR_HOST", "127.0.0.1");
    env.put("COORDINATOR_PORT", String.valueOf(coordinatorPort));
    env.put("WORKER_HOST", "127.0.0.1");
    env.put("WORKER_PORT", String.valueOf(workerPort));
    env.put("WORKER_ID", id);
    env.put("PGDATABASE", database);
    env.put("PGSSLMODE", "disable");
    env.put("REGISTRAR_INTERVAL_SECONDS", "1");
    env.put("REGISTRAR_MAX_BACKOFF_SECONDS", "2");
    env.put("REGISTRAR_STATUS_FILE", dir.resolve(id + ".status").toString());
    env.put("POSTGRES_USER", LocalPostgres.SUPERUSER);
    env.put("POSTGRES_PASSWORD", password);
    env.put("TMPDIR", dir.toString());
    env.putAll(overrides);
    Path logFile = dir.resolve(id + ".log");
    ProcessBuilder builder = new ProcessBuilder("/bin/bash", SCRIPT.toString())
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(env);
    return new RegistrarProcess(builder.start(), logFile, dir.resolve(id + ".status"), Map.copyOf(env));
  }

  /** Writes the rendered registrar ConfigMap's files into {@code dir}, flat, and returns the script's path. */
  private static Path mount(Path dir) {
    try {
      JsonNode data = Charts.render(ProjectFiles.committedChart(), Map.of())
          .named("ConfigMap", Charts.RELEASE + "-registrar").path("data");
      Files.createDirectories(dir);
      for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> file = it.next();
        Files.writeString(dir.resolve(file.getKey()), file.getValue().asText());
      }
      return dir.resolve("registrar.sh").toAbsolutePath();
    } catch (HelmException | IOException e) {
      throw new IllegalStateException("cannot mount the registrar ConfigMap: " + e.getMessage(), e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.readString(logFile);
  }

  /** The status file's {@code state=} value, or "" before the first write. */
  String state() throws IOException {
    if (!Files.exists(statusFile)) {
      return "";
    }
    return Files.readAllLines(statusFile).stream().filter(line -> line.startsWith("state="))
        .map(line -> line.substring("state=".length())).findFirst().orElse("");
  }

  /** Runs {@code registrar.sh status} as {@code kubectl exec} would. */
  LocalPostgres.Result statusCommand() throws IOException {
    return LocalPostgres.run(List.of("/bin/bash", SCRIPT.toString(), "status"), env, Duration.ofSeconds(10));
  }

  /** Sends SIGTERM and returns the exit code (-1 if it had to be killed). */
  int stop() throws IOException {
    if (!process.isAlive()) {
      return process.exitValue();
    }
    process.destroy();
    try {
      if (process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
      process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  /** Polls until the condition holds; fails with the description after the timeout. */
  static Duration await(Duration timeout, String description, BooleanSupplier condition) {
    Instant start = Instant.now();
    Instant deadline = start.plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return Duration.between(start, Instant.now());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + description, e);
      }
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + description);
  }
}
