package io.citus.pgvector.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The registry fixture on its own: a real registry, a chart pushed by helm-java and pulled back by hand. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OciRegistryTest {

    @TempDir
    static Path tempDir;

    private static OciRegistry registry;

    private static Optional<String> unavailable;

    @BeforeAll
    static void startRegistry() {
        unavailable = OciRegistry.unavailableReason();
        if (unavailable.isEmpty()) {
            registry = OciRegistry.start(tempDir.resolve("registry"));
        }
    }

    // Skipping per test (not in @BeforeAll) so surefire reports each test as skipped, with the reason.
    @BeforeEach
    void needsRegistry() {
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void answersTheDistributionApi() {
        assertThat(registry.client().ping()).as(registry.log()).isEqualTo(200);
        if (!registry.isContainer()) {
            assertThat(registry.host()).matches("127\\.0\\.0\\.1:\\d+");
        }
        assertThat(registry.ociUri("charts")).isEqualTo(URI.create("oci://" + registry.host() + "/charts"));
        assertThat(registry.client().tags("charts/nothing-here")).isEmpty();
    }

    @Test
    void pushedChartPullsBackByteForByte() throws Exception {
        Path tgz = DemoChart.packaged(tempDir.resolve("chart"));

        String pushOutput = Helm.push()
                .withChart(tgz)
                .withRemote(registry.ociUri("charts"))
                .plainHttp()
                .call();

        assertThat(pushOutput).contains("Pushed: " + registry.host() + "/charts/demo:0.0.1");
        String pushedDigest = IsolatedHelm.pushDigest(pushOutput)
                .orElseThrow(() -> new AssertionError("no Digest: line in helm push output:\n" + pushOutput));

        OciRegistryClient client = registry.client();
        assertThat(client.tags("charts/demo")).containsExactly("0.0.1");

        OciRegistryClient.Manifest manifest = client.fetchManifest("charts/demo", "0.0.1");
        assertThat(manifest.mediaType()).isEqualTo(OciRegistryClient.OCI_MANIFEST);
        assertThat(manifest.digest()).isEqualTo(pushedDigest).isEqualTo(manifest.computedDigest());
        assertThat(manifest.configMediaType()).isEqualTo(OciRegistryClient.HELM_CONFIG);
        assertThat(manifest.layerMediaTypes()).containsExactly(OciRegistryClient.HELM_CHART_CONTENT);

        byte[] layer = client.fetchBlob("charts/demo", manifest.layerDigests().get(0));
        assertThat(layer).isEqualTo(Files.readAllBytes(tgz));
        assertThat(manifest.layers().get(0).size()).isEqualTo(layer.length);

        String config = new String(
                client.fetchBlob("charts/demo", manifest.config().digest()), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(config).contains("\"name\":\"demo\"", "\"version\":\"0.0.1\"");

        // The digest is also a valid reference.
        assertThat(client.fetchManifest("charts/demo", pushedDigest).raw()).isEqualTo(manifest.raw());

        String remoteChart = registry.ociUri("charts/demo").toString();
        String rendered = Helm.template(remoteChart)
                .withName("pulled")
                .withVersion("0.0.1")
                .plainHttp()
                .call();
        assertThat(rendered).contains("kind: ConfigMap", "name: pulled-demo", "greeting: \"hello from demo\"");

        String chartYaml =
                Helm.show(remoteChart).chart().withVersion("0.0.1").plainHttp().call();
        assertThat(chartYaml).contains("name: demo", "version: 0.0.1");
    }
}
