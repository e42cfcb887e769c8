package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.testing.TestCa;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registrar with the TLS settings the chart gives it when tls.caFile is set (sslmode verify-full against the CA
 * mounted from the Secret), against local PostgreSQL servers serving certificates of a test CA (no Citus needed): it
 * connects to a server whose certificate the CA signed for the host name it uses, and refuses, saying why, a server
 * signed by another CA or named otherwise.
 */
class RegistrarTlsTest {

    private static final String PASSWORD = "tls-Superuser-1";
    private static final String DATABASE = "postgres";

    @TempDir
    Path dir;

    private LocalPostgres server;
    private RegistrarProcess registrar;
    private TestCa trusted;
    private Map<String, String> tlsEnv;

    @BeforeEach
    void start() throws Exception {
        Optional<String> postgres = LocalPostgres.unavailableReason();
        Assumptions.assumeTrue(postgres.isEmpty(), () -> postgres.orElseThrow());
        Optional<String> openssl = TestCa.unavailableReason();
        Assumptions.assumeTrue(openssl.isEmpty(), () -> openssl.orElseThrow());
        trusted = TestCa.create(dir, "trusted-ca");
        server = LocalPostgres.start(dir, "server", PASSWORD, false, false);
        tlsEnv = registrarTlsEnv(trusted.certificate());
    }

    /** The registrar's TLS env as the chart renders it with a CA, the CA file mapped to the local one. */
    static Map<String, String> registrarTlsEnv(Path caFile) throws Exception {
        RenderedChart chart = Charts.render(
                ProjectFiles.committedChart(), Map.of("tls.secretName", "citus-tls", "tls.caFile", "ca.crt"));
        JsonNode registrar = Charts.sidecar(chart.named("postgresql", "citus-worker-1"), "citus-worker-registrar");
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("PGSSLMODE", "PGSSLROOTCERT")) {
            env.put(name, Charts.env(registrar, name));
        }
        assertThat(env)
                .containsEntry("PGSSLMODE", "verify-full")
                .containsEntry("PGSSLROOTCERT", "/opt/citus-pgvector/tls-ca/ca.crt");
        env.put("PGSSLROOTCERT", caFile.toString());
        return env;
    }

    @AfterEach
    void stop() throws IOException {
        try {
            if (registrar != null) {
                registrar.stop();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private RegistrarProcess registrar(String host) throws IOException {
        Map<String, String> env = new HashMap<>(tlsEnv);
        env.put("COORDINATOR_HOST", host);
        env.put("WORKER_HOST", host);
        return RegistrarProcess.start(
                dir.resolve("registrar-" + System.nanoTime()),
                "worker-1",
                server.port(),
                server.port(),
                DATABASE,
                PASSWORD,
                env);
    }

    private String output() {
        try {
            return registrar.output();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @DisplayName("a certificate the CA signed for the host: verify-full connects (and reaches the missing citus)")
    void verifiedServer() throws Exception {
        TestCa.serveTls(server, trusted.issue("citus-worker-1", List.of("localhost")));
        registrar = registrar("localhost");
        RegistrarProcess.await(
                Duration.ofSeconds(30),
                "the registrar to get past the connection",
                () -> output().contains("citus is not loaded") || output().contains("the citus extension is not"));
        assertThat(output()).doesNotContain("certificate");
    }

    @Test
    @DisplayName("a certificate of another CA: refused, with the reason in the log")
    void otherCa() throws Exception {
        TestCa other = TestCa.create(dir, "other-ca");
        TestCa.serveTls(server, other.issue("citus-worker-1", List.of("localhost")));
        registrar = registrar("localhost");
        RegistrarProcess.await(
                Duration.ofSeconds(30),
                "the registrar to refuse the certificate",
                () -> output().contains("does not verify against " + trusted.certificate()));
        assertThat(output()).contains("certificate verify failed").doesNotContain("citus is not loaded");
        assertThat(registrar.isAlive()).isTrue();
    }

    @Test
    @DisplayName("a certificate of the CA for another name: refused")
    void otherName() throws Exception {
        TestCa.serveTls(server, trusted.issue("citus-worker-2", List.of("citus-worker-2")));
        registrar = registrar("localhost");
        RegistrarProcess.await(
                Duration.ofSeconds(30),
                "the registrar to refuse the host name",
                () -> output().contains("does not verify against"));
        assertThat(output()).contains("does not match host name").doesNotContain("citus is not loaded");
    }

    @Test
    @DisplayName("no TLS at all on the server: verify-full does not fall back to plain connections")
    void noTls() throws Exception {
        registrar = registrar("localhost");
        RegistrarProcess.await(
                Duration.ofSeconds(30),
                "the registrar to report the server unreachable",
                () -> output().contains("does not accept connections yet"));
        assertThat(output()).contains("server does not support SSL").doesNotContain("citus is not loaded");
    }
}
