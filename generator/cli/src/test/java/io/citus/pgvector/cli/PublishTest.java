package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.testing.OciRegistry;
import io.citus.pgvector.testing.OciRegistryClient;
import io.citus.pgvector.testing.TestPgpKey;
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

    @Test
    @DisplayName("a published version is never replaced without --force; the same archive pushed again gives the same"
            + " digest; the install command is printed")
    void refusesToReplaceAVersion() throws Exception {
        Optional<String> unavailable = OciRegistry.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        Path archive = packaged();
        try (OciRegistry registry = OciRegistry.start(dir.resolve("registry"))) {
            String remote = registry.ociUri("charts").toString();
            CliRun first = CliRun.of("publish", "--archive", archive.toString(), "--registry", remote, "--plain-http");
            assertThat(first.exitCode()).as(first.toString() + registry.log()).isZero();
            assertThat(first.out())
                    .contains(
                            "install it with:",
                            "helm install citus " + remote + "/citus-pgvector --version 0.1.0 --plain-http");

            CliRun again = CliRun.of("publish", "--archive", archive.toString(), "--registry", remote, "--plain-http");
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(again.err()).contains(remote + "/citus-pgvector version 0.1.0 is already published", "--force");

            Thread.sleep(1_100);
            Path chart = dir.resolve("charts/citus-pgvector");
            CliRun forced =
                    CliRun.of("publish", "--chart", chart.toString(), "--registry", remote, "--plain-http", "--force");
            assertThat(forced.exitCode()).as(forced.toString()).isZero();
            assertThat(digestOf(forced)).isEqualTo(digestOf(first));
        }
    }

    @Test
    @DisplayName("a chart that does not render is refused before anything is pushed")
    void refusesAChartThatDoesNotRender() throws Exception {
        Optional<String> unavailable = OciRegistry.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        packaged();
        Path chart = dir.resolve("charts/citus-pgvector");
        Files.writeString(
                chart.resolve("templates/broken.yaml"),
                "{{- if .Values.workers.count }}{{ fail \"the workers are not ready\" }}{{- end }}\n");
        try (OciRegistry registry = OciRegistry.start(dir.resolve("registry"))) {
            String remote = registry.ociUri("charts").toString();
            CliRun run = CliRun.of("publish", "--chart", chart.toString(), "--registry", remote, "--plain-http");
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("does not render", "the workers are not ready", "nothing was pushed");
            assertThat(registry.client().tags("charts/citus-pgvector")).isEmpty();
        }
    }

    @Test
    @DisplayName("--sign pushes Helm's provenance file as a layer of the chart's manifest; pulled back, it verifies")
    void signedPublish() throws Exception {
        Optional<String> unavailable = OciRegistry.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        packaged();
        TestPgpKey key = TestPgpKey.generate(dir.resolve("keys"), "Release Bot <release@example.com>", "");
        Path chart = dir.resolve("charts/citus-pgvector");
        try (OciRegistry registry = OciRegistry.start(dir.resolve("registry"))) {
            String remote = registry.ociUri("charts").toString();
            CliRun publish = CliRun.of(
                    "publish",
                    "--chart",
                    chart.toString(),
                    "--registry",
                    remote,
                    "--plain-http",
                    "--sign",
                    "--key",
                    key.secretKey().toString());
            assertThat(publish.exitCode())
                    .as(publish.toString() + registry.log())
                    .isZero();
            assertThat(publish.out()).contains("with its provenance file", "--verify --keyring");

            OciRegistryClient client = registry.client();
            OciRegistryClient.Manifest manifest = client.fetchManifest("charts/citus-pgvector", "0.1.0");
            OciRegistryClient.Descriptor chartLayer =
                    manifest.layer(OciRegistryClient.HELM_CHART_CONTENT).orElseThrow();
            OciRegistryClient.Descriptor provLayer =
                    manifest.layer(OciRegistryClient.HELM_PROVENANCE).orElseThrow();
            Path pulled = Files.createDirectories(dir.resolve("pulled"));
            Path archive = Files.write(
                    pulled.resolve("citus-pgvector-0.1.0.tgz"),
                    client.fetchBlob("charts/citus-pgvector", chartLayer.digest()));
            Files.write(
                    pulled.resolve("citus-pgvector-0.1.0.tgz.prov"),
                    client.fetchBlob("charts/citus-pgvector", provLayer.digest()));
            CliRun verified = CliRun.of(
                    "verify-chart",
                    archive.toString(),
                    "--keyring",
                    key.publicKeyring().toString());
            assertThat(verified.exitCode()).as(verified.toString()).isZero();
            assertThat(verified.out()).contains("signed by Release Bot <release@example.com>");
        }
    }
}
