package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.testing.OciRegistry;
import io.citus.pgvector.testing.OciRegistryClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code publish} against a real OCI registry on 127.0.0.1, then the chart pulled back and rendered. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PublishTest {

    private static final Pattern DIGEST = Pattern.compile("digest (sha256:[0-9a-f]{64})");

    @TempDir
    Path dir;

    private Path packaged() {
        Path chart = dir.resolve("charts/citus-pgvector");
        CliRun generate = CliRun.of("generate", "-f", CliTest.DEFAULT_VALUES, "--chart", chart.toString());
        assertThat(generate.exitCode()).as(generate.toString()).isZero();
        CliRun pack = CliRun.of(
                "package",
                "--chart",
                chart.toString(),
                "-d",
                dir.resolve("dist").toString());
        assertThat(pack.exitCode()).as(pack.toString()).isZero();
        return dir.resolve("dist/citus-pgvector-0.1.0.tgz");
    }

    private static String digestOf(CliRun run) {
        Matcher m = DIGEST.matcher(run.out());
        assertThat(m.find()).as(run.toString()).isTrue();
        return m.group(1);
    }

    @Test
    @DisplayName("push, pull back: same name, version, bytes and digest; Helm renders the pulled chart")
    void publishAndPullBack() throws Exception {
        Optional<String> unavailable = OciRegistry.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        Path archive = packaged();
        try (OciRegistry registry = OciRegistry.start(dir.resolve("registry"))) {
            String remote = registry.ociUri("charts").toString();
            CliRun publish =
                    CliRun.of("publish", "--archive", archive.toString(), "--registry", remote, "--plain-http");
            assertThat(publish.exitCode())
                    .as(publish.toString() + registry.log())
                    .isZero();
            String pushed = digestOf(publish);

            OciRegistryClient client = registry.client();
            OciRegistryClient.Manifest manifest = client.fetchManifest("charts/citus-pgvector", "0.1.0");
            assertThat(manifest.digest()).isEqualTo(pushed);
            assertThat(manifest.computedDigest()).isEqualTo(pushed);
            JsonNode config = new ObjectMapper()
                    .readTree(client.fetchBlob(
                            "charts/citus-pgvector", manifest.config().digest()));
            assertThat(config.path("name").asText()).isEqualTo("citus-pgvector");
            assertThat(config.path("version").asText()).isEqualTo("0.1.0");
            assertThat(config.path("appVersion").asText()).isEqualTo("17-4.0-p3-citus13.2");
            OciRegistryClient.Descriptor layer =
                    manifest.layer(OciRegistryClient.HELM_CHART_CONTENT).orElseThrow();
            assertThat(client.fetchBlob("charts/citus-pgvector", layer.digest()))
                    .isEqualTo(Files.readAllBytes(archive));

            CliRun template = CliRun.of(
                    "template",
                    "--chart",
                    remote + "/citus-pgvector",
                    "--chart-version",
                    "0.1.0",
                    "--plain-http",
                    "--set",
                    "workers.count=3",
                    "--set",
                    "superuser.password=x");
            assertThat(template.exitCode()).as(template.toString()).isZero();
            assertThat(template.out().split("kind: postgresql", -1)).hasSize(1 + 4);
        }
    }

    @Test
    @DisplayName("a registry that wants credentials: refused without them, accepted with --username and"
            + " --password-stdin")
    void publishWithCredentials() throws Exception {
        Optional<String> unavailable = OciRegistry.unavailableReasonWithAuth();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        Path archive = packaged();
        try (OciRegistry registry = OciRegistry.startWithAuth(dir.resolve("registry"), "ci", "s3cret-pw")) {
            String remote = registry.ociUri("charts").toString();
            CliRun anonymous =
                    CliRun.of("publish", "--archive", archive.toString(), "--registry", remote, "--plain-http");
            assertThat(anonymous.exitCode()).as(anonymous.toString()).isEqualTo(ExitCode.ENVIRONMENT);

            InputStream stdin = System.in;
            CliRun publish;
            try {
                System.setIn(new ByteArrayInputStream("s3cret-pw\n".getBytes(StandardCharsets.UTF_8)));
                publish = CliRun.of(
                        "publish",
                        "--archive",
                        archive.toString(),
                        "--registry",
                        remote,
                        "--plain-http",
                        "--username",
                        "ci",
                        "--password-stdin");
            } finally {
                System.setIn(stdin);
            }
            assertThat(publish.exitCode())
                    .as(publish.toString() + registry.log())
                    .isZero();
            assertThat(publish.out() + publish.err()).doesNotContain("s3cret-pw");
            assertThat(registry.client()
                            .fetchManifest("charts/citus-pgvector", "0.1.0")
                            .digest())
                    .isEqualTo(digestOf(publish));
        }
    }
}
