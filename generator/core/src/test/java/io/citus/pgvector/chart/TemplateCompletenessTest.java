package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.Failure;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.ValueOverrides;
import io.citus.pgvector.render.Manifests;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code template} against what Helm itself gives for the same values: helm-java's template (the release manifest an
 * install applies) and a client-only dry-run install (its NOTES). helm-java returns no hooks, so the hooks are checked
 * against what the chart's templates declare: every Job and Pod an install or {@code helm test} creates.
 */
class TemplateCompletenessTest {

    private static final Path CHART = ProjectFiles.committedChart();
    private static final ValueOverrides PASSWORD =
            new ValueOverrides(List.of(), List.of("superuser.password=not-a-secret"), List.of(), List.of());

    private static ChartTemplate.Options options(Path profile) {
        return ChartTemplate.Options.folder(CHART, Charts.RELEASE, List.of(profile), PASSWORD);
    }

    @ParameterizedTest(name = "values/{0}")
    @ValueSource(strings = {"default.yaml", "dev.yaml", "production.yaml"})
    @DisplayName("every object of the release manifest, then every hook and the test pod, then the NOTES")
    void everythingAnInstallCreates(String profile) throws Exception {
        Path values = ProjectFiles.root().resolve("values").resolve(profile);
        List<ChartTemplate.Document> documents = ChartTemplate.render(options(values));

        String manifest = new HelmClient()
                .template(new HelmClient.TemplateRequest(
                        CHART.toString(),
                        null,
                        Charts.RELEASE,
                        null,
                        HelmClient.DEFAULT_KUBE_VERSION,
                        List.of(values),
                        Map.of("superuser.password", "not-a-secret"),
                        HelmClient.Registry.DEFAULT));
        assertThat(objects(documents.stream().filter(d -> !d.hook()).toList()))
                .as("the release manifest, object by object and in Helm's order")
                .isEqualTo(Manifests.split(manifest));

        List<ChartTemplate.Document> hooks =
                documents.stream().filter(ChartTemplate.Document::hook).toList();
        assertThat(names(hooks))
                .as("the hooks' scripts, the helm test pod and the hook Jobs of upgrade and uninstall, in Helm's order")
                .containsExactly(
                        "ConfigMap/citus-scaling",
                        "Pod/citus-test-vector-queries",
                        "Job/citus-scale-down",
                        "Job/citus-scale-up",
                        "Job/citus-uninstall-guard");
        assertThat(hooks.get(1).test()).isTrue();
        for (JsonNode hook : objects(hooks)) {
            assertThat(hook.at("/metadata/annotations").has("helm.sh/hook-delete-policy"))
                    .as("hook annotations as the chart writes them")
                    .isTrue();
        }
        int firstHook = documents.indexOf(hooks.get(0));
        assertThat(documents.subList(0, firstHook)).noneMatch(ChartTemplate.Document::hook);

        ChartTemplate.Document notes = documents.get(documents.size() - 1);
        assertThat(notes.source()).isEqualTo("citus-pgvector/templates/NOTES.txt");
        String dryRunNotes = new HelmClient()
                .notes(
                        CHART,
                        Charts.RELEASE,
                        HelmClient.DEFAULT_NAMESPACE,
                        HelmClient.DEFAULT_KUBE_VERSION,
                        passwordAdded(values));
        assertThat(uncomment(notes.text())).isEqualTo(dryRunNotes.strip());
        assertThat(dryRunNotes).contains("-n default");
    }

    @Test
    @DisplayName("--no-hooks and --skip-tests leave out what helm template leaves out")
    void noHooks() throws Failure {
        ChartTemplate.Options all = options(ProjectFiles.root().resolve("values/default.yaml"));
        List<ChartTemplate.Document> withoutHooks = ChartTemplate.render(new ChartTemplate.Options(
                all.chart(),
                null,
                all.releaseName(),
                null,
                all.kubeVersion(),
                all.valuesFiles(),
                all.overrides(),
                List.of(),
                List.of(),
                false,
                true,
                all.registry()));
        assertThat(withoutHooks).noneMatch(ChartTemplate.Document::hook);
        List<ChartTemplate.Document> withoutTests = ChartTemplate.render(new ChartTemplate.Options(
                all.chart(),
                null,
                all.releaseName(),
                null,
                all.kubeVersion(),
                all.valuesFiles(),
                all.overrides(),
                List.of(),
                List.of(),
                true,
                false,
                all.registry()));
        // The scripts' ConfigMap is a test hook too (the test pod mounts it), and Helm skips every test hook.
        assertThat(names(withoutTests.stream()
                        .filter(ChartTemplate.Document::hook)
                        .toList()))
                .containsExactly("Job/citus-scale-down", "Job/citus-scale-up", "Job/citus-uninstall-guard");
    }

    @Test
    @DisplayName("--api-versions reaches the chart as Helm's capabilities; --show-only selects by template path")
    void apiVersionsAndShowOnly() throws Failure {
        ChartTemplate.Options monitoring = new ChartTemplate.Options(
                CHART.toString(),
                null,
                Charts.RELEASE,
                "vectors",
                HelmClient.DEFAULT_KUBE_VERSION,
                List.of(),
                new ValueOverrides(
                        List.of(),
                        List.of(
                                "superuser.password=x,metrics.enabled=true,networkPolicy.metricsNamespaces={monitoring}"),
                        List.of(),
                        List.of()),
                List.of("monitoring.coreos.com/v1"),
                List.of("templates/metrics/pod*.yaml"),
                true,
                true,
                HelmClient.Registry.DEFAULT);
        assertThat(names(ChartTemplate.render(monitoring))).containsExactly("PodMonitor/citus-postgres");

        ChartTemplate.Options withoutApi = new ChartTemplate.Options(
                monitoring.chart(),
                null,
                monitoring.releaseName(),
                monitoring.namespace(),
                monitoring.kubeVersion(),
                List.of(),
                monitoring.overrides(),
                List.of(),
                monitoring.showOnly(),
                true,
                true,
                monitoring.registry());
        assertThatThrownBy(() -> ChartTemplate.render(withoutApi))
                .hasMessage("could not find template templates/metrics/pod*.yaml in chart");

        ChartTemplate.Options argoCd = new ChartTemplate.Options(
                monitoring.chart(),
                null,
                monitoring.releaseName(),
                monitoring.namespace(),
                monitoring.kubeVersion(),
                List.of(),
                ValueOverrides.NONE,
                List.of("acid.zalan.do/v1/postgresql"),
                List.of(),
                true,
                true,
                monitoring.registry());
        assertThatThrownBy(() -> ChartTemplate.render(argoCd))
                .hasMessageContaining("superuser.password is empty and this render cannot read the cluster")
                .hasMessageNotContaining("--debug")
                .hasMessageNotContaining("citus-pgvector-template-");
    }

    private static Path passwordAdded(Path values) throws Exception {
        Path merged = Files.createTempFile("values-", ".yaml");
        merged.toFile().deleteOnExit();
        Map<String, Object> all = PASSWORD.apply(List.of(values));
        io.citus.pgvector.model.ValuesLoader.YAML.writeValue(merged.toFile(), all);
        return merged;
    }

    private static String uncomment(String notes) {
        List<String> lines = new ArrayList<>();
        for (String line : notes.strip().lines().skip(1).toList()) {
            lines.add(line.equals("#") ? "" : line.substring(2));
        }
        return String.join("\n", lines);
    }

    private static List<JsonNode> objects(List<ChartTemplate.Document> documents) {
        return documents.stream()
                .flatMap(d -> Manifests.split(d.text()).stream())
                .toList();
    }

    private static List<String> names(List<ChartTemplate.Document> documents) {
        return objects(documents).stream()
                .map(o -> o.path("kind").asText() + "/" + o.at("/metadata/name").asText())
                .toList();
    }
}
