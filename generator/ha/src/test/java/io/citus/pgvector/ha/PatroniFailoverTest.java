package io.citus.pgvector.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.registrar.RegistrarProcess;
import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HA tier without Citus, for every machine with PostgreSQL, Patroni, etcd and HAProxy: the rendered chart with one
 * worker (coordinator and worker each a Patroni pair behind their Service) on plain PostgreSQL, Citus left out of
 * {@code shared_preload_libraries}. The registrar sidecars therefore never register (their steady state is "citus is
 * not loaded/installed"), which is what lets them be watched through failovers here: they must wait while a
 * Service has no leader and come back to the same state, alive, without an unexpected error. Scenarios run in order
 * on one release: the world's faithfulness first, then a worker node loss with asynchronous replication (the loss
 * check must see rows go), then a coordinator node loss in synchronous mode (no acknowledged row may go) while the
 * uninstall-guard hook waits for the coordinator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@DisplayName("HA tier without Citus: Patroni pairs behind Services")
class PatroniFailoverTest {

    private static final Duration PACE = Duration.ofMillis(20);

    @TempDir
    static Path dir;

    private PatroniRelease release;

    @BeforeAll
    void start() throws Exception {
        Optional<String> unavailable = PatroniRelease.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        // No operator runs here to create the extensions (plain PostgreSQL has no Citus to create): a grace period of
        // 0 is the registrar after the operator's time is up, when it tries them itself and reports Citus missing.
        ShippedHooks chart = ShippedHooks.render(
                dir,
                Map.of("workers.count", "1", "registrar.intervalSeconds", "5", "registrar.extensionGraceSeconds", "0"));
        release = PatroniRelease.start(dir, chart, false);
        for (PatroniCluster cluster : release.clusters()) {
            try (Connection c = cluster.connect("postgres")) {
                Writer.createTable(c, false);
            }
        }
    }

    @AfterAll
    void stop() {
        if (release != null) {
            release.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("the world is production's: TLS-only access with a password, the operator's parameter split,"
            + " Spilo's first-boot objects, registrars waiting for Citus")
    void worldIsFaithful() throws Exception {
        assertThat(release.operatorProblems()).isEmpty();
        for (PatroniCluster cluster : release.clusters()) {
            for (PatroniMember member : cluster.members()) {
                String plain = "jdbc:postgresql://127.0.0.1:" + member.postgresPort()
                        + "/postgres?sslmode=disable&connectTimeout=3";
                assertThatThrownBy(() -> DriverManager.getConnection(
                                        plain, LocalPostgres.SUPERUSER, release.superuserPassword(cluster.name()))
                                .close())
                        .as("TCP without TLS to %s\n%s", member, release.diagnostics())
                        .hasMessageContaining("no encryption");
                assertThatThrownBy(() -> DriverManager.getConnection(
                                        member.jdbcUrl("postgres"), LocalPostgres.SUPERUSER, "wrong")
                                .close())
                        .as("a wrong password at %s", member)
                        .hasMessageContaining("password authentication failed");
                try (Connection c = member.connect("postgres")) {
                    assertThat(one(c, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                            .isEqualTo("true");
                    // Local parameters: in every member's own configuration.
                    assertThat(one(c, "SHOW ssl")).isEqualTo("on");
                    assertThat(one(c, "SHOW shared_preload_libraries")).isEqualTo("pg_stat_statements");
                    // DCS parameters: the same on every member, from bootstrap.dcs.
                    assertThat(one(c, "SHOW wal_level")).isEqualTo("logical");
                    assertThat(one(c, "SHOW max_prepared_transactions")).isEqualTo("200");
                    assertThat(one(c, "SHOW hnsw.ef_search")).isEqualTo("100");
                }
            }
            JsonNode dcs = cluster.config().orElseThrow();
            assertThat(dcs.at("/postgresql/parameters/wal_level").asText()).isEqualTo("logical");
            assertThat(dcs.at("/postgresql/parameters").has("shared_preload_libraries"))
                    .isFalse();
            assertThat(dcs.path("ttl").asInt()).isEqualTo((int) cluster.spilo().timing("ttl"));
            try (Connection c = cluster.connect("postgres")) {
                assertThat(column(
                                c,
                                "SELECT c.relname || ':' || c.relkind::text FROM pg_class c"
                                        + " WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'postgres_log%'"
                                        + " ORDER BY 1"))
                        .containsExactly(
                                "postgres_log:r",
                                "postgres_log_0:f",
                                "postgres_log_1:f",
                                "postgres_log_2:f",
                                "postgres_log_3:f",
                                "postgres_log_4:f",
                                "postgres_log_5:f",
                                "postgres_log_6:f",
                                "postgres_log_7:f");
            }
        }
        awaitRegistrarsSteady();
        for (RegistrarProcess registrar : release.registrars().values()) {
            assertThat(registrar.isAlive()).isTrue();
            assertThat(registrar.statusCommand().exitCode())
                    .as("status of a registrar that cannot register")
                    .isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    @DisplayName("worker node lost with asynchronous replication and a stalled walsender: acknowledged rows are"
            + " lost (the check sees it); the registrars wait and come back")
    void workerNodeLossAsynchronous() throws Exception {
        PatroniCluster worker = release.workers().get(0);
        worker.patchConfig(Map.of("synchronous_mode", false), Duration.ofSeconds(60));
        Map<String, Integer> linesBefore = registrarLines();
        FailoverScenario.Outcome outcome =
                FailoverScenario.run(release, worker, FailoverScenario.Fault.NODE_LOSS, true, worker, 1, PACE);
        System.out.println(outcome.line());
        assertThat(outcome.synchronous()).isFalse();
        assertThat(outcome.writesAgainAfter()).isPresent();
        assertThat(outcome.lost())
                .as("asynchronous replication with the walsender stalled loses what was acknowledged meanwhile")
                .isPositive();
        assertRegistrarsRodeTheOutage(linesBefore, "worker");
    }

    @Test
    @Order(3)
    @DisplayName("coordinator node lost in synchronous mode with a stalled walsender: no acknowledged row is lost;"
            + " the uninstall-guard hook waits for the coordinator; the registrars wait and come back")
    void coordinatorNodeLossSynchronous() throws Exception {
        PatroniCluster coordinator = release.coordinator();
        coordinator.patchConfig(Map.of("synchronous_mode", true), Duration.ofSeconds(60));
        Map<String, Integer> linesBefore = registrarLines();
        List<ShippedHooks.Running> hook = new ArrayList<>();
        FailoverScenario.Outcome outcome = FailoverScenario.run(
                release,
                coordinator,
                FailoverScenario.Fault.NODE_LOSS,
                true,
                coordinator,
                2,
                PACE,
                () -> hook.add(release.startHook("Job", "citus-uninstall-guard", Map.of())));
        System.out.println(outcome.line());
        assertThat(outcome.synchronous()).isTrue();
        assertThat(outcome.writesAgainAfter()).isPresent();
        assertThat(outcome.acknowledged()).isPositive();
        assertThat(outcome.lost())
                .as("synchronous mode keeps every acknowledged write")
                .isZero();

        ShippedHooks.Run guard = hook.get(0).await(300);
        assertThat(guard.output())
                .as(guard.output())
                .contains("waiting for the coordinator")
                .doesNotContain("does not accept connections:");
        // It reached the coordinator after the failover and gave its verdict on the data.
        assertThat(guard.output()).containsAnyOf("no tables: uninstall may go on", "refusing helm uninstall");
        assertRegistrarsRodeTheOutage(linesBefore, "coordinator");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void awaitRegistrarsSteady() {
        Waits.until(
                Duration.ofSeconds(60),
                "every registrar to report that Citus is missing",
                () -> release.registrars().values().stream().allMatch(r -> {
                    try {
                        return r.state().equals("error") && r.output().contains("citus");
                    } catch (IOException e) {
                        return false;
                    }
                }),
                release::registrarDiagnostics);
    }

    private Map<String, Integer> registrarLines() throws IOException {
        Map<String, Integer> lines = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, RegistrarProcess> e : release.registrars().entrySet()) {
            lines.put(e.getKey(), (int) e.getValue().output().lines().count());
        }
        return lines;
    }

    /**
     * Every registrar that lived through the outage logged a wait for {@code role} and went back to waiting for
     * Citus, logging a line per state change only (no error loop), and is alive.
     */
    private void assertRegistrarsRodeTheOutage(Map<String, Integer> linesBefore, String role) throws IOException {
        awaitRegistrarsSteady();
        for (Map.Entry<String, RegistrarProcess> e : release.registrars().entrySet()) {
            RegistrarProcess registrar = e.getValue();
            assertThat(registrar.isAlive()).as("registrar %s alive", e.getKey()).isTrue();
            List<String> lines = registrar.output().lines().toList();
            Integer before = linesBefore.get(e.getKey());
            if (before == null || before > lines.size()) {
                continue; // its pod was lost and started again: a new log
            }
            List<String> during = lines.subList(before, lines.size());
            assertThat(during)
                    .as("registrar %s during the outage", e.getKey())
                    .anyMatch(l -> l.contains("waiting: " + role)
                            && (l.contains("does not accept connections") || l.contains("is a replica right now")))
                    .hasSizeLessThan(12)
                    .noneMatch(l -> l.contains("configuration error") || l.contains("failed at"));
        }
    }

    private static String one(Connection c, String sql) throws SQLException {
        List<String> rows = column(c, sql);
        assertThat(rows).as(sql).hasSize(1);
        return rows.get(0);
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        }
    }
}
