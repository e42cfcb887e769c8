package io.citus.pgvector.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.TestCa;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook Jobs and the helm test pod with tls.caFile set: each mounts the CA where its PGSSLROOTCERT points and
 * requires verify-full; the shipped test script, run with that env against local servers serving certificates of a
 * test CA (no Citus needed: the connection is what is tested), gets through to a server the CA signed and refuses
 * one another CA signed.
 */
class HooksTlsTest {

    private static final String PASSWORD = "tls-Hooks-1";

    @TempDir
    Path dir;

    @Test
    @DisplayName("every hook and the test pod verify the coordinator against the mounted CA")
    void hooksMountTheCa() throws Exception {
        ShippedHooks hooks = ShippedHooks.render(
                dir, Map.of("tls.secretName", "citus-tls", "tls.caSecretName", "citus-ca", "tls.caFile", "ca.pem"));
        List<JsonNode> pods = List.of(
                hooks.named("Job", "citus-scale-up"),
                hooks.named("Job", "citus-scale-down"),
                hooks.named("Job", "citus-uninstall-guard"),
                hooks.named("Pod", "citus-test-vector-queries"));
        for (JsonNode pod : pods) {
            Map<String, String> env = ShippedHooks.env(pod);
            assertThat(env)
                    .containsEntry("PGSSLMODE", "verify-full")
                    .containsEntry("PGSSLROOTCERT", "/opt/citus-pgvector/tls-ca/ca.pem");
            JsonNode spec = pod.path("kind").asText().equals("Job") ? pod.at("/spec/template/spec") : pod.path("spec");
            assertThat(spec.at("/containers/0/volumeMounts").toString())
                    .contains("{\"name\":\"tls-ca\",\"mountPath\":\"/opt/citus-pgvector/tls-ca\",\"readOnly\":true}");
            assertThat(spec.path("volumes").toString())
                    .contains("\"secretName\":\"citus-ca\"")
                    .contains("{\"key\":\"ca.pem\",\"path\":\"ca.pem\"}");
        }
    }

    @Test
    @DisplayName("helm-test.sh with verify-full: through to a server the CA signed, refused by one another CA signed")
    void testScriptVerifiesTheServer() throws Exception {
        Optional<String> postgres = LocalPostgres.unavailableReason();
        Assumptions.assumeTrue(postgres.isEmpty(), () -> postgres.orElseThrow());
        Optional<String> openssl = TestCa.unavailableReason();
        Assumptions.assumeTrue(openssl.isEmpty(), () -> openssl.orElseThrow());
        ShippedHooks hooks = ShippedHooks.render(dir, Map.of("tls.secretName", "citus-tls", "tls.caFile", "ca.crt"));
        Path scripts = hooks.mountScripts(dir.resolve("scripts"));
        // A single server: no standbys to read from, so no replica-read step.
        Map<String, String> podEnv =
                new java.util.HashMap<>(ShippedHooks.env(hooks.named("Pod", "citus-test-vector-queries")));
        podEnv.put("REPLICA_READS", "false");
        TestCa trusted = TestCa.create(dir, "trusted-ca");
        TestCa other = TestCa.create(dir, "other-ca");
        try (LocalPostgres signed = LocalPostgres.start(dir, "signed", PASSWORD, false, false);
                LocalPostgres foreign = LocalPostgres.start(dir, "foreign", PASSWORD, false, false)) {
            TestCa.serveTls(signed, trusted.issue("coordinator", List.of("localhost")));
            TestCa.serveTls(foreign, other.issue("coordinator", List.of("localhost")));

            ShippedHooks.Run through =
                    ShippedHooks.run(scripts, "helm-test.sh", podEnv, overrides(signed, trusted), 60);
            assertThat(through.output())
                    .contains("testing localhost:" + signed.port())
                    .doesNotContain("certificate verify failed");

            ShippedHooks.Run refused =
                    ShippedHooks.run(scripts, "helm-test.sh", podEnv, overrides(foreign, trusted), 60);
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output())
                    .contains("certificate verify failed")
                    .doesNotContain("testing localhost:" + foreign.port());
        }
    }

    private static Map<String, String> overrides(LocalPostgres server, TestCa ca) {
        return Map.of(
                "PGHOST",
                "localhost",
                "PGPORT",
                Integer.toString(server.port()),
                "PGUSER",
                LocalPostgres.SUPERUSER,
                "PGPASSWORD",
                PASSWORD,
                "PGDATABASE",
                "postgres",
                "PGSSLROOTCERT",
                ca.certificate().toString(),
                "TIMEOUT_SECONDS",
                "12",
                "POLL_SECONDS",
                "2");
    }
}
