package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.helm.ValueOverrides;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the chart decides from the clusters it finds (Helm lookup at install and upgrade): the superuser password that
 * must never change by accident, and no Citus-unaware major upgrade. The clusters are played by
 * {@link ChartWithCluster}; the decisions and messages are the chart's. Not covered here, because helm-java renders
 * without a cluster: the lookups themselves (templates/_cluster.tpl) and .Release.IsUpgrade, which the chart treats
 * like an existing coordinator.
 */
@DisplayName("decisions on the clusters a release finds")
class ClusterLookupTest {

    @TempDir
    Path dir;

    private RenderedChart render(ChartWithCluster cluster, Map<String, String> set, Path... valuesFiles)
            throws HelmException {
        return Charts.renderExactly(cluster.chart(dir), set, valuesFiles);
    }

    private static List<String> passwords(RenderedChart rendered) {
        return rendered.ofKind("Secret").stream()
                .map(s -> new String(
                        Base64.getDecoder().decode(s.at("/data/password").asText()), StandardCharsets.UTF_8))
                .distinct()
                .toList();
    }

    @Nested
    @DisplayName("the superuser password")
    class Password {

        @Test
        @DisplayName("first install: generated once for every cluster, no warning")
        void firstInstall() throws Exception {
            RenderedChart rendered = render(ChartWithCluster.reachable(), Map.of());
            assertThat(passwords(rendered)).singleElement().asString().hasSize(32);
            assertThat(rendered.yaml()).doesNotContain("made up by a render without a cluster");
        }

        @Test
        @DisplayName("upgrade: the coordinator's Secret's password is kept")
        void upgradeKeepsThePassword() throws Exception {
            RenderedChart rendered = render(
                    ChartWithCluster.reachable().coordinator("17").coordinatorSecret("the-password-they-use"),
                    Map.of("workers.count", "3"));
            assertThat(passwords(rendered)).containsExactly("the-password-they-use");
            assertThat(rendered.ofKind("Secret")).hasSize(4);
        }

        @Test
        @DisplayName("upgrade with the coordinator's Secret gone: refused instead of a new password")
        void missingSecretRefused() {
            assertThatThrownBy(() -> render(ChartWithCluster.reachable().coordinator("17"), Map.of()))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("the coordinator's credentials Secret postgres.citus-coordinator.credentials.postgresql"
                            + ".acid.zalan.do is missing in namespace \"vectors\"")
                    .contains("set superuser.password (or superuser.existingSecret) to it");
        }

        @Test
        @DisplayName("upgrade with the Secret gone and the password given: the given one")
        void missingSecretWithPassword() throws Exception {
            assertThat(passwords(render(
                            ChartWithCluster.reachable().coordinator("17"), Map.of("superuser.password", "restored"))))
                    .containsExactly("restored");
        }

        @Test
        @DisplayName("another password than the clusters use: refused, pointing to the rotation procedure")
        void changeRefused() throws Exception {
            assertThatThrownBy(() -> render(
                            ChartWithCluster.reachable().coordinator("17").coordinatorSecret("old"),
                            Map.of("superuser.password", "new")))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("refusing to change the superuser password")
                    .contains("Rotating the superuser password");
            assertThat(passwords(Charts.renderExactly(
                            ChartWithCluster.reachable()
                                    .coordinator("17")
                                    .coordinatorSecret("same")
                                    .chart(dir),
                            Map.of("superuser.password", "same"))))
                    .containsExactly("same");
        }

        @Test
        @DisplayName("superuser.existingSecret: no password in the render, with or without a cluster; a hook Job"
                + " copies it into every cluster's credentials Secret before the clusters exist")
        void existingSecret() throws Exception {
            Map<String, String> set =
                    Map.of("superuser.existingSecret.name", "pg-superuser", "superuser.existingSecret.key", "pw");
            for (ChartWithCluster cluster : List.of(
                    ChartWithCluster.reachable(),
                    ChartWithCluster.unreadable(),
                    ChartWithCluster.reachable().coordinator("17").coordinatorSecret("old"))) {
                assertThat(passwords(render(cluster, set))).isEmpty();
            }
            for (List<String> apiVersions : List.of(List.<String>of(), List.of("acid.zalan.do/v1/postgresql"))) {
                RenderedChart rendered = RenderedChart.of(ChartJobs.template(new ChartTemplate.Options(
                        ProjectFiles.committedChart().toString(),
                        null,
                        Charts.RELEASE,
                        Charts.NAMESPACE,
                        HelmClient.DEFAULT_KUBE_VERSION,
                        List.of(),
                        new ValueOverrides(
                                List.of(),
                                List.of("superuser.existingSecret.name=pg-superuser,superuser.existingSecret.key=pw"),
                                List.of(),
                                List.of()),
                        apiVersions,
                        List.of(),
                        true,
                        true,
                        HelmClient.Registry.DEFAULT)));
                assertThat(passwords(rendered)).isEmpty();
                JsonNode job = rendered.named("Job", "citus-superuser-credentials");
                assertThat(job.at("/metadata/annotations/helm.sh~1hook").asText())
                        .isEqualTo("pre-install,pre-upgrade,pre-rollback");
                JsonNode container = job.at("/spec/template/spec/containers/0");
                assertThat(Charts.env(container, "CLUSTERS"))
                        .isEqualTo("citus-coordinator citus-worker-1 citus-worker-2");
                assertThat(Charts.env(container, "PASSWORD_FILE")).isEqualTo("/var/run/citus-pgvector/superuser/pw");
                assertThat(job.at("/spec/template/spec/volumes").findValuesAsText("secretName"))
                        .containsExactly("pg-superuser");
                assertThat(rendered.named("Role", "citus-superuser-credentials")
                                .at("/rules/0/resourceNames")
                                .toString())
                        .contains("postgres.citus-worker-2.credentials.postgresql.acid.zalan.do");
            }
        }

        @Test
        @DisplayName("a render that targets the operator's cluster but cannot read it (Argo CD): pin the password")
        void unreadableClusterNeedsAPinnedPassword() throws Exception {
            assertThatThrownBy(() -> render(ChartWithCluster.unreadable(), Map.of()))
                    .message()
                    .contains("superuser.password is empty and this render cannot read the cluster")
                    .contains("Pin it: set superuser.password");
            assertThat(passwords(render(ChartWithCluster.unreadable(), Map.of("superuser.password", "pinned"))))
                    .containsExactly("pinned");
        }

        @Test
        @DisplayName("helm template without a cluster (the committed chart's own lookup helper): a password made up"
                + " for this render, and the render says how to pin it")
        void plainTemplate() throws Exception {
            RenderedChart rendered = Charts.renderExactly(ProjectFiles.committedChart(), Map.of());
            assertThat(passwords(rendered)).singleElement().asString().hasSize(32);
            assertThat(rendered.yaml())
                    .contains("# A password made up by a render without a cluster: the next render"
                            + " makes another. Pin it with superuser.password.");
            assertThat(passwords(Charts.renderExactly(
                            ProjectFiles.committedChart(), Map.of("superuser.existingSecret.name", "pg-superuser"))))
                    .isEmpty();
        }
    }

    @Nested
    @DisplayName("the generated passwords of applicationRoles")
    class ApplicationRolePasswords {

        private static final Map<String, String> ROLES = Map.of(
                "applicationRoles[0].name", "app",
                "applicationRoles[1].name", "search",
                "applicationRoles[1].existingSecret.name", "search-db");

        /** The keys of the release's application roles Secret, decoded. */
        private static Map<String, String> kept(RenderedChart rendered) {
            Map<String, String> kept = new java.util.TreeMap<>();
            rendered.named("Secret", Charts.RELEASE + "-application-roles")
                    .path("data")
                    .fields()
                    .forEachRemaining(e -> kept.put(
                            e.getKey(),
                            new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
            return kept;
        }

        @Test
        @DisplayName("first install: one generated for each role without an existingSecret, none for the others")
        void firstInstall() throws Exception {
            RenderedChart rendered = render(ChartWithCluster.reachable(), ROLES);
            assertThat(kept(rendered)).containsOnlyKeys("app");
            assertThat(kept(rendered).get("app")).hasSize(32);
            assertThat(rendered.yaml()).doesNotContain("made up by a render without a cluster");
        }

        @Test
        @DisplayName("upgrade: the kept passwords stay, a role added later gets a new one")
        void upgradeKeepsThem() throws Exception {
            Map<String, String> set = new java.util.HashMap<>(ROLES);
            set.put("applicationRoles[2].name", "reports");
            RenderedChart rendered = render(
                    ChartWithCluster.reachable()
                            .coordinator("17")
                            .coordinatorSecret("pw")
                            .applicationRolesSecret(Map.of("app", "the-app-password")),
                    set);
            assertThat(kept(rendered)).containsOnlyKeys("app", "reports").containsEntry("app", "the-app-password");
            assertThat(kept(rendered).get("reports")).hasSize(32);
        }

        @Test
        @DisplayName("a render that cannot read the cluster (Argo CD): refused for a generated one, naming the role")
        void unreadableClusterNeedsExistingSecrets() throws Exception {
            assertThatThrownBy(() -> render(
                            ChartWithCluster.unreadable(),
                            Map.of("superuser.password", "pinned", "applicationRoles[0].name", "app")))
                    .message()
                    .contains("applicationRoles[0] (app) has no existingSecret and this render cannot read the cluster")
                    .contains("Pin it: give applicationRoles[0] an existingSecret for renders without a cluster.");
            RenderedChart rendered = render(
                    ChartWithCluster.unreadable(),
                    Map.of(
                            "superuser.password", "pinned",
                            "applicationRoles[0].name", "search",
                            "applicationRoles[0].existingSecret.name", "search-db"));
            assertThat(rendered.ofKind("Secret"))
                    .extracting(secret -> secret.at("/metadata/name").asText())
                    .doesNotContain(Charts.RELEASE + "-application-roles");
        }

        @Test
        @DisplayName("helm template without a cluster: made up for this render, and the render says so")
        void plainTemplate() throws Exception {
            RenderedChart rendered = Charts.render(ProjectFiles.committedChart(), ROLES);
            assertThat(kept(rendered).get("app")).hasSize(32);
            assertThat(rendered.yaml())
                    .contains("# Passwords made up by a render without a cluster: the next render makes others. Give"
                            + " the roles an existingSecret.");
        }
    }

    @Nested
    @DisplayName("the PostgreSQL major version")
    class MajorVersion {

        @Test
        @DisplayName("a change on running clusters is refused, naming them and pointing to docs/upgrade.md; the"
                + " version they run passes")
        void changeRefused() throws Exception {
            ChartWithCluster running16 = ChartWithCluster.reachable()
                    .coordinator("16")
                    .worker(1, "16")
                    .worker(2, "16")
                    .coordinatorSecret("pw");
            assertThatThrownBy(() -> render(running16, Map.of()))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("refusing to change postgresql.version to 17 on running clusters (citus-coordinator"
                            + " runs 16, citus-worker-1 runs 16, citus-worker-2 runs 16)")
                    .contains("citus_prepare_pg_upgrade")
                    .contains("docs/upgrade.md");
            assertThat(render(
                                    ChartWithCluster.reachable()
                                            .coordinator("17")
                                            .worker(1, "17")
                                            .worker(2, "17")
                                            .coordinatorSecret("pw"),
                                    Map.of("workers.count", "3"))
                            .ofKind("postgresql"))
                    .hasSize(4);
        }

        @Test
        @DisplayName("halfway through docs/upgrade.md (workers upgraded, coordinator not yet), any helm upgrade is"
                + " refused until every cluster runs the version asked for")
        void halfwayRefused() throws Exception {
            ChartWithCluster halfway = ChartWithCluster.reachable()
                    .coordinator("17")
                    .worker(1, "18")
                    .worker(2, "18")
                    .coordinatorSecret("pw");
            assertThatThrownBy(() -> render(halfway, Map.of()))
                    .message()
                    .contains("(citus-worker-1 runs 18, citus-worker-2 runs 18)");
            Path version18 = Files.writeString(dir.resolve("pg18.yaml"), "postgresql:\n  version: \"18\"\n");
            assertThatThrownBy(() -> render(halfway, Map.of(), version18))
                    .message()
                    .contains("(citus-coordinator runs 17)");
        }
    }
}
