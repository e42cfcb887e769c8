package io.citus.pgvector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alert rules, rendered from the chart (no second copy), checked by Debian's promtool and unit-tested
 * with promtool test rules: every alert fires on the series that mean trouble, after its hold time, with the labels
 * and annotations the test file expects, and stays silent on healthy series and on other releases' series.
 */
class AlertRulesTest {

    static final Path PROMTOOL = Path.of(System.getProperty("promtool", "/usr/bin/promtool"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    private JsonNode rules;

    @BeforeEach
    void renderRules() throws Exception {
        RenderedChart chart = Charts.render(
                ProjectFiles.committedChart(),
                Map.of(
                        "metrics.enabled",
                        "true",
                        "metrics.prometheusOperator",
                        "always",
                        "workers.count",
                        "2",
                        "networkPolicy.metricsNamespaces[0]",
                        "monitoring",
                        "backup.wal.enabled",
                        "true",
                        "backup.wal.bucket",
                        "backups"));
        rules = chart.named("PrometheusRule", "citus-alerts").path("spec");
        YAML.writeValue(dir.resolve("rules.yaml").toFile(), rules);
        try (InputStream tests = getClass().getResourceAsStream("/metrics/alerts.test.yaml")) {
            Files.copy(tests, dir.resolve("alerts.test.yaml"));
        }
    }

    private Set<String> alertNames() {
        Set<String> names = new TreeSet<>();
        rules.at("/groups/0/rules").forEach(r -> names.add(r.path("alert").asText()));
        return names;
    }

    /** promtool with a command and a file of the rendered folder; skips the test where promtool is missing. */
    private LocalPostgres.Result promtool(Duration timeout, String command, String subcommand, String file) {
        Assumptions.assumeTrue(
                Files.isExecutable(PROMTOOL),
                "no promtool: " + PROMTOOL + " is missing (apt-get install prometheus, or -Dpromtool=PATH)");
        return LocalPostgres.run(
                List.of(
                        PROMTOOL.toString(),
                        command,
                        subcommand,
                        dir.resolve(file).toString()),
                Map.of(),
                timeout);
    }

    @Test
    @DisplayName("promtool check rules accepts the rendered rules")
    void checkRules() {
        LocalPostgres.Result result = promtool(Duration.ofSeconds(60), "check", "rules", "rules.yaml");
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        assertThat(result.stdout()).contains("SUCCESS: " + alertNames().size() + " rules found");
    }

    @Test
    @DisplayName("promtool test rules: every alert fires when it should, with its labels and annotations")
    void unitTests() throws Exception {
        LocalPostgres.Result result = promtool(Duration.ofSeconds(120), "test", "rules", "alerts.test.yaml");
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();

        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (JsonNode test :
                YAML.readTree(dir.resolve("alerts.test.yaml").toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? silent : firing)
                        .add(check.path("alertname").asText());
            }
        }
        assertThat(firing).as("alerts with a test where they fire").isEqualTo(alertNames());
        assertThat(silent).as("alerts with a test where they stay silent").isEqualTo(alertNames());
    }

    @Test
    @DisplayName("every alert links a runbook section that exists in docs/runbooks.md")
    void runbooks() throws Exception {
        String runbooks = Files.readString(ProjectFiles.root().resolve("docs/runbooks.md"));
        for (JsonNode rule : rules.at("/groups/0/rules")) {
            String link = rule.at("/annotations/runbook").asText();
            assertThat(link).startsWith("docs/runbooks.md#");
            String anchor = link.substring(link.indexOf('#') + 1);
            assertThat(runbooks)
                    .as("an anchored heading for %s", rule.path("alert").asText())
                    .containsPattern("(?m)^<a id=\"" + anchor + "\"></a>\n\n## "
                            + rule.path("alert").asText() + "$");
            assertThat(anchor)
                    .isEqualTo(rule.path("alert")
                            .asText()
                            .replaceAll("([a-z])([A-Z])", "$1-$2")
                            .toLowerCase(java.util.Locale.ROOT));
        }
    }
}
