package io.citus.pgvector.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.ha.FailoverScenario.Fault;
import io.citus.pgvector.ha.FailoverScenario.Outcome;
import io.citus.pgvector.registrar.RegistrarProcess;
import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
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
 * The rendered default chart (a coordinator and two workers, two Patroni members each) with Citus and pgvector, run by
 * {@link PatroniRelease}, through every way a primary goes away while a client writes one row per transaction through
 * the coordinator's Service. Writes to a worker go to a tenant whose shard that worker holds. Each scenario prints
 * its figures and must leave the release as it was: the same Citus metadata, every registrar registered, {@code verify}
 * healthy. Synchronous mode (the chart's default, Patroni's {@code synchronous_mode}) must lose no acknowledged row;
 * the asynchronous figure, with the mode switched off through {@code /config} as the operator applies a spec change,
 * is reported beside it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@DisplayName("HA tier with Citus: failovers of every role under writes")
class CitusFailoverTest {

    private static final Duration PACE = Duration.ofMillis(20);
    private static final Duration CONVERGE = Duration.ofSeconds(180);

    @TempDir
    static Path dir;

    private PatroniRelease release;
    private List<String> nodes;
    private List<List<Long>> knn;
    private final List<Outcome> outcomes = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Optional<String> unavailable = PatroniRelease.unavailableReason().or(LocalPostgres::citusUnavailableReason);
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        release = PatroniRelease.start(dir, ShippedHooks.render(dir, Map.of("registrar.intervalSeconds", "5")), true);
    }

    @AfterAll
    void stop() {
        outcomes.forEach(o -> System.out.println("figures: " + o.line()));
        if (release != null) {
            release.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("bring-up: every worker registered exactly once, the operator's next sync clean, helm test and"
            + " verify pass")
    void bringUp() throws Exception {
        Duration registered = release.awaitRegistrarsFor("registered", CONVERGE);
        System.out.printf("every registrar registered %.1f s after the bring-up%n", registered.toMillis() / 1e3);
        nodes = CitusState.nodes(release);
        assertThat(nodes).isEqualTo(CitusState.expectedNodes(release, release.workers()));
        for (RegistrarProcess registrar : release.registrars().values()) {
            assertThat(registrar.statusCommand().exitCode()).isZero();
        }
        System.out.println("operator problems at create: " + release.operatorProblems());
        for (PatroniCluster cluster : release.clusters()) {
            assertThat(release.syncPreparedDatabases(cluster))
                    .as("the operator's next sync of %s", cluster)
                    .isEmpty();
        }
        ShippedHooks.Run test =
                release.startHook("Pod", "citus-test-vector-queries", Map.of()).await(300);
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("passed");
        assertVerifyHealthy();

        try (Connection c = release.coordinator().connect("postgres")) {
            Writer.createTable(c, true);
        }
        CitusState.createItems(release, 2000);
        knn = CitusState.knn(release);
        assertThat(knn).allSatisfy(ids -> assertThat(ids).hasSize(10));
        for (PatroniCluster cluster : release.clusters()) {
            assertThat(cluster.spilo().synchronousMode())
                    .as("the chart's default replication of %s", cluster)
                    .isTrue();
        }
    }

    @Test
    @Order(2)
    @DisplayName("worker primary: postmaster SIGKILL, then Patroni stopped, then node loss with a stalled walsender:"
            + " no acknowledged row lost in synchronous mode")
    void workerFailovers() throws Exception {
        PatroniCluster worker = release.workers().get(0);
        int tenant = FailoverScenario.tenantOn(release, worker);
        for (Fault fault : List.of(Fault.POSTMASTER_KILL, Fault.PATRONI_STOP, Fault.NODE_LOSS)) {
            Outcome outcome = scenario(worker, fault, fault == Fault.NODE_LOSS, tenant);
            assertThat(outcome.synchronous()).isTrue();
            assertThat(outcome.lost()).as(outcome.line()).isZero();
        }
    }

    @Test
    @Order(3)
    @DisplayName("worker primary lost with asynchronous replication and a stalled walsender: the loss is reported")
    void workerNodeLossAsynchronous() throws Exception {
        PatroniCluster worker = release.workers().get(1);
        worker.patchConfig(Map.of("synchronous_mode", false), CONVERGE);
        try {
            Outcome outcome = scenario(worker, Fault.NODE_LOSS, true, FailoverScenario.tenantOn(release, worker));
            assertThat(outcome.synchronous()).isFalse();
            assertThat(outcome.writesAgainAfter()).isPresent();
        } finally {
            worker.patchConfig(Map.of("synchronous_mode", true), CONVERGE);
        }
    }

    @Test
    @Order(4)
    @DisplayName("coordinator primary: postmaster SIGKILL, then Patroni stopped: nothing lost, registrars and Citus"
            + " metadata intact, router and fan-out kNN give the same answers")
    void coordinatorFailovers() throws Exception {
        for (Fault fault : List.of(Fault.POSTMASTER_KILL, Fault.PATRONI_STOP)) {
            Outcome outcome = scenario(release.coordinator(), fault, false, 1);
            assertThat(outcome.lost()).as(outcome.line()).isZero();
            assertThat(CitusState.knn(release)).isEqualTo(knn);
        }
    }

    @Test
    @Order(5)
    @DisplayName("planned switchover of the coordinator and of a worker through Patroni's API: nothing lost")
    void switchovers() throws Exception {
        Outcome coordinator = scenario(release.coordinator(), Fault.SWITCHOVER, false, 1);
        assertThat(coordinator.lost()).isZero();
        PatroniCluster worker = release.workers().get(1);
        Outcome onWorker = scenario(worker, Fault.SWITCHOVER, false, FailoverScenario.tenantOn(release, worker));
        assertThat(onWorker.lost()).isZero();
        assertThat(CitusState.knn(release)).isEqualTo(knn);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** One scenario through the coordinator, then the release must be as before it. */
    private Outcome scenario(PatroniCluster target, Fault fault, boolean stall, int tenant) throws Exception {
        Outcome outcome = FailoverScenario.run(release, target, fault, stall, release.coordinator(), tenant, PACE);
        System.out.println(outcome.line());
        outcomes.add(outcome);
        assertThat(outcome.writesAgainAfter()).as(outcome.line()).isPresent();
        release.awaitRegistrarsFor("registered", CONVERGE);
        assertThat(CitusState.nodes(release))
                .as("Citus metadata after %s", outcome.line())
                .isEqualTo(nodes);
        assertVerifyHealthy();
        return outcome;
    }

    private void assertVerifyHealthy() throws Exception {
        PatroniRelease.VerifyRun verify = release.verify(release.workers().size());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
    }
}
