package io.citus.pgvector.testing;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs helm-java in a child JVM whose Helm directories ({@code HOME}, {@code HELM_CONFIG_HOME},
 * {@code HELM_CACHE_HOME}, {@code HELM_DATA_HOME}, {@code DOCKER_CONFIG}, ...) all point into one
 * temporary folder.
 *
 * <p>Why a child JVM: helm-java's native library is a Go c-shared library. Go copies the process
 * environment once, when the library is loaded, and helm-java's registry client keeps its
 * credentials in {@code $HELM_CONFIG_HOME/registry/config.json} (default
 * {@code ~/.config/helm/registry/config.json}). A JVM cannot change its own environment, and the
 * library is loaded once per JVM, so the only reliable way to keep {@code helm registry login}
 * away from the user's home is a process started with its own environment.
 *
 * <p>{@link #main} is the child's entry point; it runs a list of steps, each an operation name
 * followed by a fixed number of arguments:
 * <ul>
 *   <li>{@code login HOST USER PASSWORD} — {@code Helm.registry().login()...plainHttp()}</li>
 *   <li>{@code logout HOST}</li>
 *   <li>{@code push CHART_TGZ OCI_REMOTE} — {@code Helm.push()...plainHttp()}</li>
 *   <li>{@code template OCI_CHART VERSION} — {@code Helm.template(chart).withVersion(v).plainHttp()}</li>
 *   <li>{@code show-chart OCI_CHART VERSION} — {@code Helm.show(chart).chart()...plainHttp()}</li>
 * </ul>
 * It stops at the first failing step and exits 1.
 */
public final class IsolatedHelm {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern DIGEST = Pattern.compile("(?m)^Digest:\\s*(sha256:[0-9a-f]{64})\\s*$");
    private static final Map<String, Integer> ARITY =
            Map.of("login", 3, "logout", 1, "push", 2, "template", 2, "show-chart", 2);

    private final Path home;

    private IsolatedHelm(Path home) {
        this.home = home;
    }

    /** Helm runs whose every Helm and Docker directory lies under {@code home}. */
    public static IsolatedHelm in(Path home) {
        try {
            for (String dir : List.of("config", "cache", "data", "docker", "tmp")) {
                Files.createDirectories(home.resolve(dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new IsolatedHelm(home.toAbsolutePath());
    }

    /** Where helm-java's registry client keeps credentials for this isolated home. */
    public Path registryCredentials() {
        return home.resolve("config").resolve("registry").resolve("config.json");
    }

    public Path home() {
        return home;
    }

    /** The outcome of one child JVM. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The {@code Digest: sha256:...} line that {@code helm push} prints, if any. */
        public Optional<String> digest() {
            return pushDigest(output);
        }
    }

    /** The digest from {@code helm push} output ({@code "Pushed: ...\nDigest: sha256:..."}). */
    public static Optional<String> pushDigest(String pushOutput) {
        Matcher matcher = DIGEST.matcher(pushOutput == null ? "" : pushOutput);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    public Result login(String host, String user, String password) {
        return run("login", host, user, password);
    }

    public Result push(Path chart, URI remote) {
        return run("push", chart.toAbsolutePath().toString(), remote.toString());
    }

    /** Runs steps in one child JVM (see the class comment for the step syntax). */
    public Result run(String... steps) {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + home.resolve("tmp"),
                "-cp",
                testClassPath(),
                IsolatedHelm.class.getName()));
        command.addAll(Arrays.asList(steps));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.keySet()
                .removeIf(k -> k.startsWith("HELM_")
                        || k.startsWith("XDG_")
                        || k.equals("DOCKER_CONFIG")
                        || k.equals("REGISTRY_AUTH_FILE")
                        || k.equals("KUBECONFIG"));
        env.put("HOME", home.toString());
        env.put("HELM_CONFIG_HOME", home.resolve("config").toString());
        env.put("HELM_CACHE_HOME", home.resolve("cache").toString());
        env.put("HELM_DATA_HOME", home.resolve("data").toString());
        env.put("HELM_REGISTRY_CONFIG", registryCredentials().toString());
        env.put(
                "HELM_REPOSITORY_CONFIG",
                home.resolve("config").resolve("repositories.yaml").toString());
        env.put(
                "HELM_REPOSITORY_CACHE",
                home.resolve("cache").resolve("repository").toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("XDG_CACHE_HOME", home.resolve("cache").toString());
        env.put("XDG_DATA_HOME", home.resolve("data").toString());
        env.put("DOCKER_CONFIG", home.resolve("docker").toString());
        env.put("KUBECONFIG", "/dev/null");
        Path log = home.resolve("tmp").resolve("helm-" + System.nanoTime() + ".log");
        builder.redirectOutput(log.toFile());
        try {
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                return new Result(
                        -1, Files.readString(log, StandardCharsets.UTF_8) + "\n(timed out after " + TIMEOUT + ")");
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running helm", e);
        }
    }

    /** Surefire keeps the real class path here; java.class.path may be its manifest-only booter jar. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** Child entry point: runs the steps given as arguments. */
    public static void main(String[] args) {
        int i = 0;
        while (i < args.length) {
            String op = args[i];
            Integer arity = ARITY.get(op);
            if (arity == null || i + 1 + arity > args.length) {
                System.out.println("!! bad step at argument " + i + ": " + op);
                System.exit(2);
            }
            String[] a = Arrays.copyOfRange(args, i + 1, i + 1 + arity);
            i += 1 + arity;
            System.out.println("== " + op);
            try {
                String out = switch (op) {
                    case "login" ->
                        Helm.registry()
                                .login()
                                .withHost(a[0])
                                .withUsername(a[1])
                                .withPassword(a[2])
                                .plainHttp()
                                .call();
                    case "logout" ->
                        Helm.registry().logout().withHost(a[0]).plainHttp().call();
                    case "push" ->
                        Helm.push()
                                .withChart(Paths.get(a[0]))
                                .withRemote(URI.create(a[1]))
                                .plainHttp()
                                .call();
                    case "template" ->
                        Helm.template(a[0]).withVersion(a[1]).plainHttp().call();
                    case "show-chart" ->
                        Helm.show(a[0]).chart().withVersion(a[1]).plainHttp().call();
                    default -> throw new IllegalStateException("unreachable");
                };
                System.out.println(out == null ? "" : out);
            } catch (RuntimeException e) {
                System.out.println("!! " + op + " failed: " + e.getMessage());
                System.out.flush();
                System.exit(1);
            }
        }
        System.out.flush();
        System.exit(0);
    }
}
