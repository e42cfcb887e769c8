package io.citus.pgvector.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.Version;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The committed chart's Chart.yaml carries what someone holding only the OCI chart needs to find the project, and what
 * Artifact Hub reads: every annotation that holds YAML parses, and names every image the chart can run.
 */
class ArtifactHubMetadataTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static JsonNode chart;
    private static JsonNode values;

    @BeforeAll
    static void read() throws Exception {
        chart = YAML.readTree(Files.readString(ProjectFiles.committedChart().resolve("Chart.yaml")));
        values = YAML.readTree(Files.readString(ProjectFiles.committedChart().resolve("values.yaml")));
    }

    private static JsonNode annotation(String name) throws Exception {
        JsonNode text = chart.path("annotations").path(name);
        assertThat(text.isTextual()).as("annotation %s", name).isTrue();
        return YAML.readTree(text.asText());
    }

    @Test
    @DisplayName("home, the project as first source and a maintainers entry lead back to the project")
    void homeSourcesMaintainers() {
        assertThat(chart.path("home").asText()).isEqualTo(Version.home()).startsWith("https://");
        assertThat(chart.path("sources").get(0).asText()).isEqualTo(Version.home());
        assertThat(chart.path("maintainers").get(0).path("name").asText()).isNotBlank();
    }

    @Test
    @DisplayName(
            "artifacthub.io/images lists the cluster image at the appVersion and the exporter image of values.yaml")
    void images() throws Exception {
        List<String> images = new ArrayList<>();
        annotation("artifacthub.io/images")
                .forEach(image -> images.add(image.path("image").asText()));
        String exporter = values.at("/metrics/image/repository").asText() + ":"
                + values.at("/metrics/image/tag").asText();
        assertThat(images)
                .containsExactly(
                        values.at("/image/repository").asText() + ":"
                                + chart.path("appVersion").asText(),
                        exporter);
    }

    @Test
    @DisplayName("links, recommendations and changes parse; the license is the project's")
    void otherAnnotations() throws Exception {
        assertThat(annotation("artifacthub.io/links"))
                .allSatisfy(link -> assertThat(link.path("url").asText()).startsWith("https://"));
        assertThat(annotation("artifacthub.io/recommendations")
                        .get(0)
                        .path("url")
                        .asText())
                .contains("postgres-operator");
        assertThat(annotation("artifacthub.io/changes"))
                .allSatisfy(change -> assertThat(change.path("kind").asText())
                        .isIn("added", "changed", "deprecated", "removed", "fixed", "security"));
        assertThat(chart.path("annotations").path("artifacthub.io/license").asText())
                .isEqualTo("Apache-2.0");
    }

    @Test
    @DisplayName("artifacthub.io/signKey appears exactly when the build names a signing key")
    void signKey() throws Exception {
        if (Version.signKeyFingerprint().isEmpty()) {
            assertThat(chart.path("annotations").has("artifacthub.io/signKey")).isFalse();
        } else {
            JsonNode key = annotation("artifacthub.io/signKey");
            assertThat(key.path("fingerprint").asText()).isEqualTo(Version.signKeyFingerprint());
            assertThat(key.path("url").asText()).isEqualTo(Version.signKeyUrl());
        }
    }
}
