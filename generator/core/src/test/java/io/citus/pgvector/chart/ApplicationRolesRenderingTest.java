package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.validation.RenderedManifests;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * applicationRoles as real Helm renders them: the Secret of the generated passwords, the registrar's environment and
 * its projected volume of password files, valid for both operator lines; the roles are never the operator's users;
 * names Helm users may not give are refused by values.schema.json or the templates, naming the value.
 */
@DisplayName("applicationRoles rendered")
class ApplicationRolesRenderingTest {

    private static final Path CHART = ProjectFiles.committedChart();
    private static final Map<String, String> ROLES = Map.of(
            "applicationRoles[0].name", "app",
            "applicationRoles[1].name", "search",
            "applicationRoles[1].existingSecret.name", "search-db",
            "applicationRoles[1].existingSecret.key", "pw");

    private static RenderedChart render(Map<String, String> set) throws HelmException {
        return Charts.render(CHART, set);
    }

    private static JsonNode registrar(JsonNode worker) {
        return Charts.sidecar(worker, "citus-worker-registrar");
    }

    private static JsonNode volume(JsonNode postgresql, String name) {
        for (JsonNode volume : postgresql.at("/spec/additionalVolumes")) {
            if (volume.path("name").asText().equals(name)) {
                return volume;
            }
        }
        return null;
    }

    @ParameterizedTest(name = "operator {0}")
    @ValueSource(strings = {"2.0", "1.15"})
    @DisplayName("each worker's registrar gets the role names and one password file per role from its Secret; every"
            + " object valid for the operator line")
    void registrarGetsThePasswords(String line) throws HelmException {
        Map<String, String> set = new java.util.HashMap<>(ROLES);
        set.put("operator.line", line);
        RenderedChart rendered = render(set);
        assertThat(RenderedManifests.validateAgainst(rendered.yaml(), List.of(FeatureRenderingTest.operatorCrd(line))))
                .isEmpty();

        JsonNode secret = rendered.named("Secret", "citus-application-roles");
        List<String> keys = new ArrayList<>();
        secret.path("data").fieldNames().forEachRemaining(keys::add);
        assertThat(keys)
                .as("generated passwords: only roles without an existingSecret")
                .containsExactly("app");

        List<JsonNode> workers = rendered.postgresqls("worker");
        assertThat(workers).hasSize(2);
        for (JsonNode worker : workers) {
            JsonNode registrar = registrar(worker);
            assertThat(Charts.env(registrar, "REGISTRAR_APPLICATION_ROLES")).isEqualTo("app,search");
            assertThat(Charts.env(registrar, "REGISTRAR_APPLICATION_ROLES_DIR"))
                    .isEqualTo("/etc/citus-pgvector/application-roles");
            JsonNode volume = volume(worker, "application-roles");
            assertThat(volume).as("the password files' volume").isNotNull();
            assertThat(volume.path("mountPath").asText()).isEqualTo("/etc/citus-pgvector/application-roles");
            assertThat(volume.path("targetContainers").get(0).asText()).isEqualTo("citus-worker-registrar");
            assertThat(volume.path("targetContainers")).hasSize(1);
            assertThat(volume.path("subPath").isMissingNode())
                    .as("no subPath: the kubelet updates the files")
                    .isTrue();
            JsonNode sources = volume.at("/volumeSource/projected/sources");
            assertThat(sources).hasSize(2);
            assertThat(sources.get(0).at("/secret/name").asText()).isEqualTo("citus-application-roles");
            assertThat(sources.get(0).at("/secret/items/0/key").asText()).isEqualTo("app");
            assertThat(sources.get(0).at("/secret/items/0/path").asText()).isEqualTo("app");
            assertThat(sources.get(1).at("/secret/name").asText()).isEqualTo("search-db");
            assertThat(sources.get(1).at("/secret/items/0/key").asText()).isEqualTo("pw");
            assertThat(sources.get(1).at("/secret/items/0/path").asText()).isEqualTo("search");
        }
        for (JsonNode pg : rendered.ofKind("postgresql")) {
            assertThat(pg.at("/spec/users").isMissingNode())
                    .as(
                            "the operator would give %s's roles its own passwords",
                            pg.at("/metadata/name").asText())
                    .isTrue();
        }
        assertThat(volume(rendered.named("postgresql", "citus-coordinator"), "application-roles"))
                .as("no registrar on the coordinator")
                .isNull();
    }

    @Test
    @DisplayName("no roles: no Secret, no environment, no volume")
    void noRoles() throws HelmException {
        RenderedChart rendered = render(Map.of());
        assertThat(rendered.ofKind("Secret"))
                .extracting(s -> s.at("/metadata/name").asText())
                .doesNotContain("citus-application-roles");
        for (JsonNode worker : rendered.postgresqls("worker")) {
            assertThat(registrar(worker).path("env").findValuesAsText("name"))
                    .doesNotContain("REGISTRAR_APPLICATION_ROLES", "REGISTRAR_APPLICATION_ROLES_DIR");
            assertThat(volume(worker, "application-roles")).isNull();
        }
    }

    @Test
    @DisplayName("only roles with an existingSecret: no Secret of the chart's")
    void onlyExistingSecrets() throws HelmException {
        RenderedChart rendered = render(
                Map.of("applicationRoles[0].name", "search", "applicationRoles[0].existingSecret.name", "search-db"));
        assertThat(rendered.ofKind("Secret"))
                .extracting(s -> s.at("/metadata/name").asText())
                .doesNotContain("citus-application-roles");
        JsonNode source = volume(rendered.postgresqls("worker").get(0), "application-roles")
                .at("/volumeSource/projected/sources/0/secret");
        assertThat(source.path("name").asText()).isEqualTo("search-db");
        assertThat(source.at("/items/0/key").asText()).as("the default key").isEqualTo("password");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "postgres|'not' failed",
                "standby|'not' failed",
                "robot_zmon|'not' failed",
                "pg_monitor|'not' failed",
                "App|'App' does not match pattern",
                "1app|'1app' does not match pattern",
                "app-1|'app-1' does not match pattern"
            })
    @DisplayName("a name that is not a plain identifier, or one of PostgreSQL's, Spilo's or the operator's: refused by"
            + " values.schema.json at the key (Helm's validator names the value only for a pattern)")
    void reservedOrInvalidNamesRefused(String name, String why) {
        assertThatThrownBy(() -> render(Map.of("applicationRoles[0].name", name)))
                .isInstanceOf(HelmException.class)
                .message()
                .contains("values don't meet the specifications of the schema")
                .contains("- at '/applicationRoles/0/name': " + why);
    }

    @Test
    @DisplayName("a role listed twice: refused by the templates, naming the value")
    void duplicateRefused() {
        assertThatThrownBy(() -> render(Map.of("applicationRoles[0].name", "app", "applicationRoles[1].name", "app")))
                .isInstanceOf(HelmException.class)
                .message()
                .contains("applicationRoles[1].name: names a role listed before it, got \"app\"");
    }
}
