package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.citus.pgvector.Failure;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The superuser-credentials hook script ({@code files/scripts/superuser-credentials.py}) run as its Job runs it, against
 * a stand-in for the Kubernetes API that reproduces what the script relies on: GET of a Secret answers 200 with it or
 * 404, POST creates it (201) or answers 409 when it exists, and every request needs the service account's bearer
 * token (401 otherwise). Then {@code build} on a values file that sets superuser.existingSecret.
 */
class SuperuserCredentialsHookTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "service-account-token";
    private static final String PREFIX = "/api/v1/namespaces/vectors/secrets";

    private final Map<String, ObjectNode> secrets = new ConcurrentHashMap<>();
    private final List<String> requests = new ArrayList<>();
    private HttpServer api;

    @TempDir
    Path dir;

    @BeforeEach
    void startApi() throws IOException {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", this::serve);
        api.start();
    }

    @AfterEach
    void stopApi() {
        api.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] body = exchange.getRequestBody().readAllBytes();
        synchronized (requests) {
            requests.add(exchange.getRequestMethod() + " " + path);
        }
        int status;
        byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
        if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            status = 401;
        } else if (exchange.getRequestMethod().equals("GET") && path.startsWith(PREFIX + "/")) {
            ObjectNode secret = secrets.get(path.substring(PREFIX.length() + 1));
            status = secret == null ? 404 : 200;
            answer = secret == null ? answer : JSON.writeValueAsBytes(secret);
        } else if (exchange.getRequestMethod().equals("POST") && path.equals(PREFIX)) {
            ObjectNode secret = (ObjectNode) JSON.readTree(body);
            String name = secret.at("/metadata/name").asText();
            status = secrets.putIfAbsent(name, secret) == null ? 201 : 409;
            answer = body;
        } else {
            status = 404;
        }
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    private record Run(int exit, String output) {}

    private Run runHook(String password) throws Exception {
        assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 is not installed");
        Path account = Files.createDirectories(dir.resolve("account"));
        Files.writeString(account.resolve("token"), TOKEN + "\n");
        Path passwordFile = Files.writeString(dir.resolve("password"), password);
        ProcessBuilder pb = new ProcessBuilder(
                        "python3",
                        ProjectFiles.committedChart()
                                .resolve("files/scripts/superuser-credentials.py")
                                .toString())
                .redirectErrorStream(true);
        pb.environment()
                .putAll(Map.of(
                        "KUBERNETES_API_URL",
                        "http://127.0.0.1:" + api.getAddress().getPort(),
                        "SERVICE_ACCOUNT_DIR",
                        account.toString(),
                        "NAMESPACE",
                        "vectors",
                        "CLUSTERS",
                        "citus-coordinator citus-worker-1",
                        "PASSWORD_FILE",
                        passwordFile.toString(),
                        "LABELS",
                        "{\"app.kubernetes.io/instance\": \"citus\"}"));
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private String password(String cluster) {
        JsonNode secret = secrets.get("postgres." + cluster + ".credentials.postgresql.acid.zalan.do");
        return new String(Base64.getDecoder().decode(secret.at("/data/password").asText()), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("creates every missing credentials Secret with the user's password, username postgres, labelled")
    void createsMissing() throws Exception {
        Run run = runHook("from-vault: ,'\"\\");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(password("citus-coordinator")).isEqualTo("from-vault: ,'\"\\");
        assertThat(password("citus-worker-1")).isEqualTo("from-vault: ,'\"\\");
        JsonNode worker = secrets.get("postgres.citus-worker-1.credentials.postgresql.acid.zalan.do");
        assertThat(worker.at("/data/username").asText())
                .isEqualTo(Base64.getEncoder().encodeToString("postgres".getBytes()));
        assertThat(worker.at("/metadata/labels/cluster-name").asText()).isEqualTo("citus-worker-1");
        assertThat(worker.at("/metadata/labels/app.kubernetes.io~1instance").asText())
                .isEqualTo("citus");
        assertThat(run.output()).doesNotContain("from-vault");

        Run again = runHook("from-vault: ,'\"\\");
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("holds the password already");
    }

    @Test
    @DisplayName("a Secret with another password: refused, naming it, and nothing written")
    void refusesAnotherPassword() throws Exception {
        assertThat(runHook("old").exit()).isZero();
        secrets.remove("postgres.citus-worker-1.credentials.postgresql.acid.zalan.do");
        requests.clear();
        Run run = runHook("new");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output())
                .contains("refusing to change the superuser password:"
                        + " postgres.citus-coordinator.credentials.postgresql.acid.zalan.do")
                .doesNotContain("new\n");
        assertThat(password("citus-coordinator")).isEqualTo("old");
    }

    @Test
    @DisplayName("build on a values file that sets superuser.existingSecret: generated, linted, packaged")
    void buildWithExistingSecret() throws Failure, IOException {
        Path values = Files.writeString(
                dir.resolve("values.yaml"), "superuser:\n  existingSecret:\n    name: pg-superuser\n");
        ChartJobs.Built built = ChartJobs.build(
                new ChartJobs.Source(List.of(values), null, null),
                dir.resolve("chart"),
                dir.resolve("out"),
                false,
                Optional.empty());
        assertThat(built.linted().failed())
                .as(String.join("\n", built.linted().messages()))
                .isFalse();
        assertThat(built.packaged()).isPresent();
    }
}
