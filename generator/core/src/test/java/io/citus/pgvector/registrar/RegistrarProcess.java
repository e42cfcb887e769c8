package io.citus.pgvector.registrar;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The shipped registrar script run as a child process the way the sidecar runs it ({@code /bin/bash
 * registrar.sh}) from the files of the chart's registrar ConfigMap, written flat into one folder as
 * the sidecar's volume mounts them (the script, the scripts' library, the registrar's SQL), with the
 * sidecar's environment pointed at local servers. {@link #stop()} sends SIGTERM, as Kubernetes does, and returns the exit code.
 * The extensions it expects are the rendered sidecar's ({@code REGISTRAR_EXTENSIONS}). Unless a test says otherwise,
 * its grace period for the operator's extensions is 0: those worlds have no operator, so the registrar's own
 * creation of the extensions (what it does once the grace period is over) is what they exercise.
 */
public final class RegistrarProcess implements AutoCloseable {

    /** The script in the chart's sources. */
    static final Path SOURCE = ProjectFiles.committedChart().resolve("files/registrar.sh");
    /** The script as the sidecar runs it, beside the other files of its ConfigMap. */
    public static final Path SCRIPT = mount(Path.of("target", "registrar-configmap"));

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final String id;
    private final Process process;
    private final Path script;
    private final Path logFile;
    private final Path statusFile;
    private final Map<String, String> env;

    private RegistrarProcess(
            String id, Process process, Path script, Path logFile, Path statusFile, Map<String, String> env) {
        this.id = id;
        this.process = process;
        this.script = script;
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
    static RegistrarProcess start(
            Path dir, String id, int coordinatorPort, int workerPort, String database, String password)
            throws IOException {
        return start(dir, id, coordinatorPort, workerPort, database, password, Map.of());
    }

    /** {@link #start} with {@code overrides} over the sidecar's environment (hosts, TLS settings, grace period). */
    public static RegistrarProcess start(
            Path dir,
            String id,
            int coordinatorPort,
            int workerPort,
            String database,
            String password,
            Map<String, String> overrides)
            throws IOException {
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
        env.put("REGISTRAR_EXTENSIONS", renderedEnv("REGISTRAR_EXTENSIONS"));
        env.put("REGISTRAR_EXTENSION_GRACE_SECONDS", "0");
        env.putAll(overrides);
        return start(SCRIPT, dir, id, env);
    }

    /**
     * Starts {@code script} (the shipped registrar, e.g. as a ConfigMap mounts it) with exactly {@code env} (a
     * sidecar's environment), its output in {@code dir/<id>.log}. The status file is {@code REGISTRAR_STATUS_FILE} of
     * {@code env}.
     */
    public static RegistrarProcess start(Path script, Path dir, String id, Map<String, String> env) throws IOException {
        Files.createDirectories(dir);
        Path logFile = dir.resolve(id + ".log");
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", script.toString())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        return new RegistrarProcess(
                id,
                builder.start(),
                script,
                logFile,
                Path.of(env.getOrDefault("REGISTRAR_STATUS_FILE", "/tmp/registrar.status")),
                Map.copyOf(env));
    }

    /** Writes the rendered registrar ConfigMap's files into {@code dir} and returns the script's path. */
    private static Path mount(Path dir) {
        try {
            return Charts.mountConfigMap(
                            Charts.render(ProjectFiles.committedChart(), Map.of())
                                    .named("ConfigMap", Charts.RELEASE + "-registrar"),
                            dir)
                    .resolve("registrar.sh")
                    .toAbsolutePath();
        } catch (HelmException e) {
            throw new IllegalStateException("cannot render the registrar ConfigMap: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> renderedSidecarEnv;

    /** A value of the registrar sidecar's env as the committed chart renders it for the first worker. */
    static synchronized String renderedEnv(String name) {
        if (renderedSidecarEnv == null) {
            renderedSidecarEnv = renderedEnv(Map.of());
        }
        return value(renderedSidecarEnv, name);
    }

    /** {@link #renderedEnv(String)} with {@code set} (Helm's --set) over the chart's values. */
    static String renderedEnv(String name, Map<String, String> set) {
        return value(renderedEnv(set), name);
    }

    private static Map<String, String> renderedEnv(Map<String, String> set) {
        Map<String, String> env = new HashMap<>();
        try {
            for (JsonNode e : Charts.render(ProjectFiles.committedChart(), set)
                    .named("postgresql", Charts.RELEASE + "-worker-1")
                    .at("/spec/sidecars/0/env")) {
                env.put(e.path("name").asText(), e.path("value").asText());
            }
        } catch (HelmException e) {
            throw new IllegalStateException("cannot render the chart: " + e.getMessage(), e);
        }
        return Map.copyOf(env);
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null) {
            throw new IllegalStateException("the rendered registrar sidecar has no env " + name);
        }
        return value;
    }

    String id() {
        return id;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() throws IOException {
        return Files.readString(logFile);
    }

    /** The status file's {@code state=} value, or "" before the first write. */
    public String state() throws IOException {
        if (!Files.exists(statusFile)) {
            return "";
        }
        return Files.readAllLines(statusFile).stream()
                .filter(line -> line.startsWith("state="))
                .map(line -> line.substring("state=".length()))
                .findFirst()
                .orElse("");
    }

    /** Runs {@code registrar.sh status} as {@code kubectl exec} would. */
    public LocalPostgres.Result statusCommand() throws IOException {
        return LocalPostgres.run(List.of("/bin/bash", script.toString(), "status"), env, Duration.ofSeconds(10));
    }

    /** Sends SIGTERM and returns the exit code (-1 if it had to be killed). */
    public int stop() throws IOException {
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

    /**
     * Stops every registrar (SIGTERM), then closes the servers, even when a stop fails; returns the registrars' exit
     * codes, which must all be 0.
     */
    static List<Integer> stopAllThenClose(List<RegistrarProcess> registrars, List<LocalPostgres> servers)
            throws IOException {
        List<Integer> exitCodes = new java.util.ArrayList<>();
        try {
            for (RegistrarProcess registrar : registrars) {
                exitCodes.add(registrar.stop());
            }
        } finally {
            for (LocalPostgres server : servers) {
                if (server != null) {
                    server.close();
                }
            }
        }
        return exitCodes;
    }

    /** Polls until the condition holds; fails with the description after the timeout. */
    static Duration await(Duration timeout, String description, BooleanSupplier condition) {
        return Waits.until(timeout, description, condition);
    }
}
