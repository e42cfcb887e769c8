package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.OperatorExtensionSync;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.testing.TestCa;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registrars and the operator both create the {@code citus} and {@code vector} extensions of a new cluster: the
 * operator from {@code preparedDatabases} ({@link OperatorExtensionSync}, which does what the operator does), the
 * registrars when the operator has not done it within their grace period. The servers are Spilo-like: Citus
 * preloaded, no extension yet (the operator creates them after the first boot), TCP only over SSL with a password
 * (a certificate of a test CA stands in for Spilo's self-signed one: neither side verifies it);
 * the registrars connect with {@code PGSSLMODE=require} as the chart's sidecar does, two per worker as the two pods of
 * a worker run them. Neither side may report an error. Skipped without Citus and pgvector.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@DisplayName("registrars and the operator creating the extensions")
class RegistrarExtensionRaceTest {

    private static final String PASSWORD = "Same-Superuser-Pa55word";
    private static final String DATABASE = "postgres";
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path tempDir;

    private LocalPostgres coordinator;
    private final List<LocalPostgres> workers = new ArrayList<>();
    private final List<RegistrarProcess> registrars = new ArrayList<>();
    private Map<String, String> extensions;
    private TestCa ca;

    @BeforeEach
    void start() throws Exception {
        Optional<String> reason = LocalPostgres.citusUnavailableReason().or(TestCa::unavailableReason);
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
        ca = TestCa.create(tempDir, "cluster-ca");
        extensions = new LinkedHashMap<>();
        JsonNode prepared = Charts.render(ProjectFiles.committedChart(), Map.of())
                .named("postgresql", "citus-worker-1")
                .at("/spec/preparedDatabases/" + DATABASE + "/extensions");
        for (Iterator<Map.Entry<String, JsonNode>> it = prepared.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            extensions.put(e.getKey(), e.getValue().asText());
        }
        assertThat(extensions).containsEntry("citus", "pg_catalog").containsEntry("vector", "public");
        coordinator = server("coordinator");
        workers.add(server("worker-1"));
        workers.add(server("worker-2"));
    }

    @AfterEach
    void stop() throws IOException {
        List<LocalPostgres> servers = new ArrayList<>(workers);
        servers.add(coordinator);
        assertThat(RegistrarProcess.stopAllThenClose(registrars, servers))
                .as("registrars' exit codes on SIGTERM")
                .allMatch(code -> code == 0);
    }

    private LocalPostgres server(String name) {
        LocalPostgres server = LocalPostgres.start(tempDir, name, PASSWORD, true, false);
        TestCa.serveTls(server, ca.issue(name, List.of("localhost")));
        server.rejectTcpWithoutSsl();
        return server;
    }

    private void startRegistrars(int graceSeconds) throws IOException {
        for (int w = 0; w < workers.size(); w++) {
            for (int pod = 0; pod < 2; pod++) {
                registrars.add(RegistrarProcess.start(
                        tempDir.resolve("registrars"),
                        "worker-" + (w + 1) + "-" + pod,
                        coordinator.port(),
                        workers.get(w).port(),
                        DATABASE,
                        PASSWORD,
                        Map.of(
                                "PGSSLMODE",
                                "require",
                                "REGISTRAR_EXTENSION_GRACE_SECONDS",
                                Integer.toString(graceSeconds))));
            }
        }
    }

    /** The operator syncing every cluster at once, as its cluster workers do; the errors of all of them. */
    private List<String> operatorSyncEverywhere() {
        List<CompletableFuture<List<String>>> syncs = new ArrayList<>();
        for (LocalPostgres node : nodes()) {
            syncs.add(CompletableFuture.supplyAsync(() -> OperatorExtensionSync.sync(node, DATABASE, extensions)));
        }
        return syncs.stream().flatMap(f -> f.join().stream()).toList();
    }

    private List<LocalPostgres> nodes() {
        List<LocalPostgres> nodes = new ArrayList<>(workers);
        nodes.add(0, coordinator);
        return nodes;
    }

    private void awaitRegistered() {
        RegistrarProcess.await(CONVERGE, "both workers active and every registrar registered", () -> {
            try {
                return "2"
                                .equals(coordinator.query(
                                        DATABASE, "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND isactive"))
                        && registrars.stream().allMatch(r -> state(r).equals("registered"));
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    private static String state(RegistrarProcess registrar) {
        try {
            return registrar.state();
        } catch (IOException e) {
            return "";
        }
    }

    private static String output(RegistrarProcess registrar) {
        try {
            return registrar.output();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertExtensionsWhereTheOperatorWantsThem() {
        for (LocalPostgres node : nodes()) {
            assertThat(node.query(
                            DATABASE,
                            "SELECT string_agg(e.extname || ':' || n.nspname, ',' ORDER BY e.extname)"
                                    + " FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                                    + " WHERE e.extname IN ('citus', 'vector')"))
                    .isEqualTo("citus:pg_catalog,vector:public");
        }
    }

    private void assertNoRegistrarError() {
        for (RegistrarProcess registrar : registrars) {
            assertThat(output(registrar))
                    .as("registrar log")
                    .doesNotContain(" error:")
                    .doesNotContain("got in the way")
                    .doesNotContain("failed");
        }
    }

    @Test
    @DisplayName("the operator creates them within the grace period: registrars wait for it, neither fails")
    void operatorWithinGracePeriod() throws Exception {
        startRegistrars(120);
        RegistrarProcess.await(
                Duration.ofSeconds(30),
                "every registrar waiting for the operator's extensions",
                () -> registrars.stream().allMatch(r -> output(r).contains("waiting for the operator to create them")));
        List<String> operatorErrors = operatorSyncEverywhere();
        awaitRegistered();

        assertThat(operatorErrors).as("the operator's errors").isEmpty();
        assertThat(operatorSyncEverywhere()).as("the operator's next sync").isEmpty();
        assertNoRegistrarError();
        assertThat(registrars).allSatisfy(r -> assertThat(output(r)).doesNotContain("create extension"));
        assertExtensionsWhereTheOperatorWantsThem();
    }

    @Test
    @DisplayName("no operator within the grace period: one registrar per cluster creates them where the operator"
            + " would; the operator's later sync finds nothing to do")
    void graceExpires() throws Exception {
        startRegistrars(3);
        awaitRegistered();
        assertNoRegistrarError();
        for (String node : List.of("worker-1", "worker-2")) {
            long creations = registrars.stream()
                    .filter(r -> r.id().startsWith(node + "-"))
                    .map(RegistrarExtensionRaceTest::output)
                    .filter(log -> log.contains("worker: create extension(s) citus vector"))
                    .count();
            assertThat(creations)
                    .as(
                            "registrars of %s that created its extensions:\n%s",
                            node,
                            registrars.stream()
                                    .map(RegistrarExtensionRaceTest::output)
                                    .toList())
                    .isEqualTo(1);
        }
        assertThat(registrars)
                .allSatisfy(r -> assertThat(output(r))
                        .containsSubsequence("waiting for the operator to create them", "registered"));
        assertExtensionsWhereTheOperatorWantsThem();
        assertThat(operatorSyncEverywhere())
                .as("the operator's sync after the registrars")
                .isEmpty();
    }

    @Test
    @DisplayName("an extension another session is creating at the same moment counts as created")
    void concurrentCreationCountsAsDone() throws Exception {
        assertThat(OperatorExtensionSync.sync(coordinator, DATABASE, extensions))
                .isEmpty();
        LocalPostgres worker = workers.get(0);
        assertThat(OperatorExtensionSync.sync(worker, DATABASE, Map.of("citus", "pg_catalog")))
                .isEmpty();
        assertThat(OperatorExtensionSync.sync(workers.get(1), DATABASE, extensions))
                .isEmpty();
        try (Connection creator = worker.connect(DATABASE);
                Statement s = creator.createStatement()) {
            // The operator's single CREATE EXTENSION statement, held open so the registrar's overlaps it for sure.
            creator.setAutoCommit(false);
            s.execute("CREATE EXTENSION IF NOT EXISTS \"vector\" SCHEMA \"public\"");
            registrars.add(RegistrarProcess.start(
                    tempDir.resolve("registrars"),
                    "worker-1-0",
                    coordinator.port(),
                    worker.port(),
                    DATABASE,
                    PASSWORD,
                    Map.of("PGSSLMODE", "require")));
            RegistrarProcess.await(
                    Duration.ofSeconds(30),
                    "the registrar's CREATE EXTENSION waiting on the operator's",
                    () -> "1"
                            .equals(
                                    worker.query(
                                            DATABASE,
                                            "SELECT count(*) FROM pg_stat_activity"
                                                    + " WHERE application_name = 'citus-worker-registrar' AND wait_event_type = 'Lock'")));
            creator.commit();
        } catch (SQLException e) {
            throw new AssertionError("the operator-like creator failed: " + e.getMessage(), e);
        }
        RegistrarProcess.await(
                CONVERGE,
                "the registrar registered",
                () -> state(registrars.get(0)).equals("registered"));
        assertThat(output(registrars.get(0)))
                .contains("worker: extension(s) vector were created by another session at the same time");
        assertNoRegistrarError();
        assertExtensionsWhereTheOperatorWantsThem();
    }
}
