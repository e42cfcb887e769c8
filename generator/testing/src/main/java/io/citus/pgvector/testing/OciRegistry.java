package io.citus.pgvector.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A real OCI distribution registry for tests, on 127.0.0.1 with plain HTTP.
 *
 * <p>Prefers the CNCF distribution binary from the Debian {@code docker-registry} package
 * ({@code /usr/bin/docker-registry serve config.yml}); falls back to a Testcontainers
 * {@code registry:2} container when that binary is absent but Docker is available. When neither
 * exists, {@link #unavailableReason()} says why so the caller can skip:
 *
 * <pre>{@code
 * Optional<String> reason = OciRegistry.unavailableReason();
 * Assumptions.assumeTrue(reason.isEmpty(), () -> reason.get());
 * try (OciRegistry registry = OciRegistry.start(tempDir)) { ... }
 * }</pre>
 *
 * <p>{@link #startWithAuth} adds htpasswd basic auth; it needs a bcrypt hash, made with
 * {@code htpasswd -Bbn} from Debian's {@code apache2-utils} (see {@link #unavailableReasonWithAuth()}).
 */
public final class OciRegistry implements AutoCloseable {

    /** The registry binary from Debian's {@code docker-registry} package. */
    public static final Path REGISTRY_BINARY =
            Paths.get(System.getProperty("oci.registry.binary", "/usr/bin/docker-registry"));
    /** Where {@code htpasswd} (Debian's {@code apache2-utils}) lives. */
    public static final Path HTPASSWD_BINARY =
            Paths.get(System.getProperty("oci.registry.htpasswd", "/usr/bin/htpasswd"));
    /** The image used when the binary is absent but Docker is there. */
    public static final String REGISTRY_IMAGE = "registry:2";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;
    private static final String REALM = "citus-pgvector-test";

    private final Process process;
    private final GenericContainer<?> container;
    private final String host;
    private final String username;
    private final String password;
    private final Path logFile;

    private OciRegistry(
            Process process,
            GenericContainer<?> container,
            String host,
            String username,
            String password,
            Path logFile) {
        this.process = process;
        this.container = container;
        this.host = host;
        this.username = username;
        this.password = password;
        this.logFile = logFile;
    }

    // ---------------------------------------------------------------- availability

    /** Empty when {@link #start} can work here; otherwise a reason fit for a skipped test. */
    public static Optional<String> unavailableReason() {
        if (binaryAvailable()) {
            return Optional.empty();
        }
        if (dockerAvailable()) {
            return Optional.empty();
        }
        return Optional.of("No OCI registry available: " + REGISTRY_BINARY
                + " is missing (apt-get install docker-registry) and no Docker engine is reachable for "
                + REGISTRY_IMAGE);
    }

    /** Empty when {@link #startWithAuth} can work here; otherwise a reason fit for a skipped test. */
    public static Optional<String> unavailableReasonWithAuth() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            return reason;
        }
        if (!Files.isExecutable(HTPASSWD_BINARY)) {
            return Optional.of("No htpasswd to make a bcrypt password file: " + HTPASSWD_BINARY
                    + " is missing (apt-get install apache2-utils)");
        }
        return Optional.empty();
    }

    private static boolean binaryAvailable() {
        return Files.isExecutable(REGISTRY_BINARY);
    }

    private static volatile Boolean dockerAvailable;

    private static boolean dockerAvailable() {
        Boolean known = dockerAvailable;
        if (known == null) {
            boolean available;
            try {
                available = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                available = false;
            }
            dockerAvailable = known = available;
        }
        return known;
    }

    // ---------------------------------------------------------------- start

    /** Starts an anonymous registry storing its blobs under {@code workDir}. */
    public static OciRegistry start(Path workDir) {
        return start(workDir, null, null);
    }

    /** Starts a registry that requires HTTP basic auth with the given credentials. */
    public static OciRegistry startWithAuth(Path workDir, String user, String password) {
        if (user == null || user.isEmpty() || user.contains(":") || password == null) {
            throw new IllegalArgumentException("user must be non-empty without ':' and password non-null");
        }
        return start(workDir, user, password);
    }

    private static OciRegistry start(Path workDir, String user, String password) {
        Optional<String> reason = user == null ? unavailableReason() : unavailableReasonWithAuth();
        if (reason.isPresent()) {
            throw new IllegalStateException(reason.get());
        }
        try {
            Files.createDirectories(workDir);
            Path htpasswd = null;
            if (user != null) {
                htpasswd = workDir.resolve("htpasswd");
                Files.writeString(htpasswd, bcryptLine(user, password), StandardCharsets.UTF_8);
            }
            if (binaryAvailable()) {
                return startProcess(workDir, htpasswd, user, password);
            }
            return startContainer(htpasswd, user, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OciRegistry startProcess(Path workDir, Path htpasswd, String user, String password)
            throws IOException {
        Path storage = Files.createDirectories(workDir.resolve("storage"));
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            String host = "127.0.0.1:" + port;
            Path config = workDir.resolve("config.yml");
            Files.writeString(config, config(storage, host, htpasswd), StandardCharsets.UTF_8);
            Path log = workDir.resolve("registry-" + attempt + ".log");
            ProcessBuilder builder = new ProcessBuilder(REGISTRY_BINARY.toString(), "serve", config.toString())
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            // REGISTRY_* variables would override the generated config.
            builder.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
            Process process = builder.start();
            OciRegistry registry = new OciRegistry(process, null, host, user, password, log);
            try {
                registry.awaitReady();
                return registry;
            } catch (RuntimeException e) {
                registry.close();
                failures.add("attempt " + attempt + " on " + host + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("docker-registry did not start: " + String.join("; ", failures));
    }

    private static OciRegistry startContainer(Path htpasswd, String user, String password) throws IOException {
        @SuppressWarnings("resource") // closed by OciRegistry.close()
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
                .withExposedPorts(5000)
                .withEnv("REGISTRY_STORAGE_DELETE_ENABLED", "true")
                .withEnv("REGISTRY_LOG_LEVEL", "warn")
                .withEnv("REGISTRY_HTTP_SECRET", UUID.randomUUID().toString())
                .waitingFor(Wait.forHttp("/v2/")
                        .forPort(5000)
                        .forStatusCodeMatching(code -> code == 200 || code == 401)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        if (htpasswd != null) {
            container
                    .withCopyToContainer(Transferable.of(Files.readAllBytes(htpasswd)), "/auth/htpasswd")
                    .withEnv("REGISTRY_AUTH", "htpasswd")
                    .withEnv("REGISTRY_AUTH_HTPASSWD_REALM", REALM)
                    .withEnv("REGISTRY_AUTH_HTPASSWD_PATH", "/auth/htpasswd");
        }
        container.start();
        String host = container.getHost() + ":" + container.getMappedPort(5000);
        OciRegistry registry = new OciRegistry(null, container, host, user, password, null);
        try {
            registry.awaitReady();
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    static String config(Path storage, String host, Path htpasswd) {
        StringBuilder yaml = new StringBuilder()
                .append("version: 0.1\n")
                .append("log:\n")
                .append("  level: warn\n")
                .append("  accesslog:\n")
                .append("    disabled: true\n")
                .append("storage:\n")
                .append("  filesystem:\n")
                .append("    rootdirectory: ")
                .append(quote(storage.toAbsolutePath().toString()))
                .append('\n')
                .append("  delete:\n")
                .append("    enabled: true\n")
                .append("  maintenance:\n")
                .append("    uploadpurging:\n")
                .append("      enabled: false\n")
                .append("http:\n")
                .append("  addr: ")
                .append(host)
                .append('\n')
                // Without a secret the registry logs a warning and makes a random one; set one to keep logs quiet.
                .append("  secret: ")
                .append(UUID.randomUUID())
                .append('\n');
        if (htpasswd != null) {
            yaml.append("auth:\n")
                    .append("  htpasswd:\n")
                    .append("    realm: ")
                    .append(REALM)
                    .append('\n')
                    .append("    path: ")
                    .append(quote(htpasswd.toAbsolutePath().toString()))
                    .append('\n');
        }
        return yaml.toString();
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** {@code user:$2y$...} made by {@code htpasswd -Bbn}; the password goes through argv (test-only). */
    private static String bcryptLine(String user, String password) throws IOException {
        Process htpasswd = new ProcessBuilder(HTPASSWD_BINARY.toString(), "-Bbn", user, password)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .start();
        try {
            if (!htpasswd.waitFor(20, TimeUnit.SECONDS)) {
                htpasswd.destroyForcibly();
                throw new IllegalStateException("htpasswd timed out");
            }
            String out = new String(htpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (htpasswd.exitValue() != 0 || !out.startsWith(user + ":$2")) {
                throw new IllegalStateException("htpasswd -Bbn failed (exit " + htpasswd.exitValue() + "): " + out);
            }
            return out + "\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            htpasswd.destroyForcibly();
            throw new IllegalStateException("interrupted while running htpasswd", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    private void awaitReady() {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(baseUrl() + "/v2/"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ": " + log());
            }
            try {
                int status =
                        http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                // 401 is the healthy answer of a registry with auth.
                if (status == 200 || (status == 401 && username != null)) {
                    return;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the registry", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the registry", e);
            }
        }
        throw new IllegalStateException(
                "registry at " + host + " not ready within " + START_TIMEOUT + " (" + last + "): " + log());
    }

    // ---------------------------------------------------------------- accessors

    /** {@code 127.0.0.1:PORT} (or the Docker host and mapped port for the container fallback). */
    public String host() {
        return host;
    }

    /** {@code http://host} — the base of the distribution API ({@code /v2/...}). */
    public String baseUrl() {
        return "http://" + host;
    }

    /** {@code oci://host/repoPath}, e.g. {@code ociUri("charts")} for {@code helm push} targets. */
    public URI ociUri(String repoPath) {
        String path = repoPath == null ? "" : repoPath.replaceAll("^/+", "");
        return URI.create("oci://" + host + (path.isEmpty() ? "" : "/" + path));
    }

    /** The user of {@link #startWithAuth}, or empty for an anonymous registry. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** The password of {@link #startWithAuth}, or empty for an anonymous registry. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** A client for this registry, with its credentials when it has any. */
    public OciRegistryClient client() {
        return username == null
                ? new OciRegistryClient(baseUrl())
                : new OciRegistryClient(baseUrl(), username, password);
    }

    /** Whether this registry runs as a Testcontainers container rather than a local process. */
    public boolean isContainer() {
        return container != null;
    }

    /** What the registry printed so far (local process only); for assertion messages. */
    public String log() {
        if (container != null) {
            return container.getLogs();
        }
        try {
            return logFile != null && Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    // ---------------------------------------------------------------- stop

    @Override
    public void close() {
        if (container != null) {
            container.stop();
            return;
        }
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = new ArrayList<>();
        process.descendants().forEach(children::add);
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                children.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            for (ProcessHandle child : children) {
                child.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Override
    public String toString() {
        return "OciRegistry[" + host + (container != null ? ", container" : ", docker-registry")
                + (username != null ? ", auth" : "") + "]";
    }
}
