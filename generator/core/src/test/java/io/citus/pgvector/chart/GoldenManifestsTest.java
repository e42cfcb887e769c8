package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.render.Manifests;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the committed chart renders for each shipped profile, compared object by object after parsing (so formatting
 * does not matter) with the reviewed golden files under src/test/resources/golden. After an intended change, rerun
 * with -Dgolden.update=true and review the diff of the golden files.
 */
class GoldenManifestsTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @ParameterizedTest(name = "{0}")
    @CsvSource({"default.yaml", "dev.yaml", "production.yaml"})
    void rendersAsReviewed(String profile) throws Exception {
        RenderedChart rendered = Charts.render(
                ProjectFiles.committedChart(),
                Map.of(),
                ProjectFiles.root().resolve("values").resolve(profile));
        Path golden = GOLDEN.resolve(profile);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, rendered.yaml());
        }
        List<JsonNode> expected = Manifests.split(Files.readString(golden));
        assertThat(rendered.objects())
                .as("objects rendered for values/%s (golden file %s)", profile, golden)
                .containsExactlyElementsOf(expected);
    }
}
