package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.validation.CrdSchemaValidator;
import io.citus.pgvector.validation.RenderedManifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both operator lines the chart supports: every shipped profile and one with every feature on, rendered with
 * {@code operator.line} set to the line and validated against that line's upstream {@code postgresql} CRD (v2.0.1,
 * v1.15.1), where a field the API server would prune is an error. What v1.15 would drop is refused at render.
 */
@DisplayName("operator lines 2.0 and 1.15")
class OperatorLinesTest {

    private static final Path CHART = ProjectFiles.committedChart();
    private static final List<String> PROFILES = List.of(
            "values/default.yaml",
            "values/dev.yaml",
            "values/production.yaml",
            "generator/core/src/test/resources/profiles/features.yaml",
            "generator/core/src/test/resources/profiles/restore.yaml");

    @TempDir
    static Path dir;

    private static CrdSchemaValidator crd(String line) {
        return FeatureRenderingTest.operatorCrd(line);
    }

    static Stream<Arguments> profilesAndLines() {
        List<Arguments> cases = new ArrayList<>();
        for (String profile : PROFILES) {
            for (String line : List.of("2.0", "1.15")) {
                cases.add(Arguments.of(profile, line));
            }
        }
        return cases.stream();
    }

    private static boolean spreadsTopology(Path profile) throws Exception {
        return Files.readString(profile).contains("topologySpreadConstraints:");
    }

    @ParameterizedTest(name = "{0} on operator {1}")
    @MethodSource("profilesAndLines")
    @DisplayName("renders objects the line's API server keeps whole; v1.15 refuses topology spreading, naming the key")
    void validAgainstTheLinesCrd(String profile, String line) throws Exception {
        CrdSchemaValidator crd = crd(line);
        Path values = ProjectFiles.root().resolve(profile);
        Map<String, String> set = Map.of("operator.line", line);
        if (line.equals("1.15") && spreadsTopology(values)) {
            assertThatThrownBy(() -> Charts.render(CHART, set, values))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("scheduling.topologySpreadConstraints: must be empty with operator.line 1.15")
                    .contains("drop them silently");
            Path withoutSpread = Files.writeString(
                    dir.resolve("no-spread.yaml"),
                    "coordinator:\n  scheduling:\n    topologySpreadConstraints: []\n"
                            + "workers:\n  scheduling:\n    topologySpreadConstraints: []\n");
            assertThat(RenderedManifests.validateAll(
                            Charts.render(CHART, set, values, withoutSpread).yaml(), crd))
                    .isEmpty();
            return;
        }
        RenderedChart rendered = Charts.render(CHART, set, values);
        assertThat(rendered.ofKind("postgresql")).isNotEmpty();
        assertThat(RenderedManifests.validateAll(rendered.yaml(), crd)).isEmpty();
    }

    @Test
    @DisplayName("the refusal is needed: v1.15's CRD prunes what the 2.0 render of production spreads by")
    void v115PrunesTopologySpread() throws Exception {
        RenderedChart production =
                Charts.render(CHART, Map.of(), ProjectFiles.root().resolve("values/production.yaml"));
        // Besides the spread constraints, line 2.0's explicit NodePort fields, which v1.15 does not have.
        assertThat(RenderedManifests.validateAll(production.yaml(), crd("1.15")))
                .anySatisfy(error -> assertThat(error).contains("topologySpreadConstraints"))
                .allSatisfy(error -> assertThat(error).containsPattern("topologySpreadConstraints|NodePort: unknown"));
    }

    @Test
    @DisplayName("v1.15 accepts PostgreSQL up to 17: version 18 is refused at render")
    void v115WithPostgres18() throws Exception {
        Path values = Files.writeString(
                dir.resolve("pg18-on-v115.yaml"), "operator:\n  line: \"1.15\"\npostgresql:\n  version: \"18\"\n");
        assertThatThrownBy(() -> Charts.render(CHART, Map.of(), values))
                .isInstanceOf(HelmException.class)
                .message()
                .contains("postgresql.version: must be at most 17 with operator.line 1.15");
    }
}
