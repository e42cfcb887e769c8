package io.citus.pgvector.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The basic-auth registry. Helm runs in a child JVM ({@link IsolatedHelm}) so {@code helm registry login}
 * writes its credentials under a temp folder, never into the user's home.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OciRegistryAuthTest {

    private static final String USER = "publisher";
    private static final String PASSWORD = "pw-" + UUID.randomUUID();

    @TempDir
    static Path tempDir;

    private static OciRegistry registry;

    private static Optional<String> unavailable;

    @BeforeAll
    static void startRegistry() {
        unavailable = OciRegistry.unavailableReasonWithAuth();
        if (unavailable.isEmpty()) {
            registry = OciRegistry.startWithAuth(tempDir.resolve("registry"), USER, PASSWORD);
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
    void apiNeedsTheCredentials() {
        assertThat(new OciRegistryClient(registry.baseUrl()).ping()).isEqualTo(401);
        assertThat(new OciRegistryClient(registry.baseUrl(), USER, "wrong").ping())
                .isEqualTo(401);
        assertThat(registry.client().ping()).as(registry.log()).isEqualTo(200);
        assertThatThrownBy(() -> new OciRegistryClient(registry.baseUrl()).fetchManifest("charts/demo", "0.0.1"))
                .isInstanceOfSatisfying(
                        OciRegistryClient.RegistryException.class,
                        e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void pushNeedsLoginAndLoginStaysInTheIsolatedHome() throws Exception {
        Path tgz = DemoChart.packaged(tempDir.resolve("chart"));
        IsolatedHelm helm = IsolatedHelm.in(tempDir.resolve("helm-home"));

        IsolatedHelm.Result anonymous = helm.push(tgz, registry.ociUri("charts"));
        assertThat(anonymous.ok()).as(anonymous.output()).isFalse();
        assertThat(anonymous.output()).containsAnyOf("401", "basic credential not found", "unauthorized");
        assertThat(registry.client().tags("charts/demo")).isEmpty();

        IsolatedHelm.Result wrong = helm.run("login", registry.host(), USER, "not-" + PASSWORD);
        assertThat(wrong.ok()).as(wrong.output()).isFalse();

        IsolatedHelm.Result published = helm.run(
                "login",
                registry.host(),
                USER,
                PASSWORD,
                "push",
                tgz.toString(),
                registry.ociUri("charts").toString());
        assertThat(published.ok()).as(published.output()).isTrue();
        String digest =
                published.digest().orElseThrow(() -> new AssertionError("no Digest: line in:\n" + published.output()));

        assertThat(helm.registryCredentials())
                .as("helm-java keeps registry credentials here")
                .exists();
        assertThat(Files.readString(helm.registryCredentials())).contains(registry.host());

        OciRegistryClient.Manifest manifest = registry.client().fetchManifest("charts/demo", "0.0.1");
        assertThat(manifest.digest()).isEqualTo(digest);
        assertThat(manifest.configMediaType()).isEqualTo(OciRegistryClient.HELM_CONFIG);
        assertThat(manifest.layerMediaTypes()).containsExactly(OciRegistryClient.HELM_CHART_CONTENT);
        assertThat(registry.client()
                        .fetchBlob("charts/demo", manifest.layerDigests().get(0)))
                .isEqualTo(Files.readAllBytes(tgz));

        // The stored login also serves reads by a later process.
        IsolatedHelm.Result rendered =
                helm.run("template", registry.ociUri("charts/demo").toString(), "0.0.1");
        assertThat(rendered.ok()).as(rendered.output()).isTrue();
        assertThat(rendered.output()).contains("kind: ConfigMap", "greeting: \"hello from demo\"");
    }
}
