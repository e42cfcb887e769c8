package io.citus.pgvector.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code helm upgrade --set workers.count=2} of a release with three workers, each a Patroni pair, while a client
 * writes through the coordinator into a shard of the leaving worker and that worker's primary is lost (node loss)
 * in the middle of the drain. The chart's pre-upgrade scale-down hook, rendered with the new values and run as its
 * Job runs it, must either complete or fail without changing anything; a failed upgrade is retried as a user would,
 * and must then complete. No acknowledged row may be lost, the data must be the same row for row, and the release
 * must end with two workers, the leaving worker's registrars retired, {@code verify} healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@DisplayName("HA tier with Citus: scale-down 3 -> 2 while the leaving worker fails over, under writes")
class CitusScaleDownTest {

    private static final Duration PACE = Duration.ofMillis(20);
    private static final Duration CONVERGE = Duration.ofSeconds(180);
    private static final long HOOK_TIMEOUT_SECONDS = 900;

    @TempDir
    static Path dir;

    private PatroniRelease release;
    private ShippedHooks upgrade;

    @BeforeAll
    void start() throws Exception {
        Optional<String> unavailable = PatroniRelease.unavailableReason().or(LocalPostgres::citusUnavailableReason);
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        Map<String, String> values = Map.of("workers.count", "3", "registrar.intervalSeconds", "5");
        release = PatroniRelease.start(dir, ShippedHooks.render(dir, values), true);
        upgrade = ShippedHooks.render(dir, Map.of("workers.count", "2", "registrar.intervalSeconds", "5"));
    }

    @AfterAll
    void stop() {
        if (release != null) {
            release.close();
        }
    }

    @Test
    @DisplayName("the drain either completes or changes nothing; retried, it completes; nothing acknowledged is lost")
    void scaleDownDuringFailover() throws Exception {
        release.awaitRegistrarsFor("registered", CONVERGE);
        assertThat(CitusState.nodes(release)).isEqualTo(CitusState.expectedNodes(release, release.workers()));
        for (PatroniCluster cluster : release.clusters()) {
            assertThat(cluster.spilo().synchronousMode())
                    .as("the chart's default replication of %s", cluster)
                    .isTrue();
        }
        try (Connection c = release.coordinator().connect("postgres")) {
            Writer.createTable(c, true);
        }
        CitusState.createItems(release, 5000);
        String checksum = CitusState.itemsChecksum(release);
        List<PatroniCluster> staying = release.workers().subList(0, 2);
        PatroniCluster leaving = release.workers().get(2);
        int tenant = FailoverScenario.tenantOn(release, leaving);

        Writer writer = Writer.start(
                release.coordinator().jdbcUrl("postgres"),
                release.superuserPassword(release.coordinator().name()),
                tenant,
                PACE);
        long lossNanos;
        ShippedHooks.Run first;
        try {
            writer.awaitAcks(20, CONVERGE);
            ShippedHooks.Running hook = release.startHook(upgrade, "Job", "citus-scale-down", Map.of());
            Waits.until(
                    CONVERGE,
                    "the scale-down hook to start draining",
                    () -> hook.output().contains("draining ") || !hook.process().isAlive(),
                    hook::output);
            PatroniMember leader = leaving.requireLeader();
            lossNanos = System.nanoTime();
            release.losePod(leader);
            System.out.println("lost " + leader.name() + " while the hook was draining " + leaving.name());
            first = hook.await(HOOK_TIMEOUT_SECONDS);
            System.out.println("scale-down hook, first run (exit " + first.exitCode() + "):\n" + first.output());
            release.awaitAllHealthy(CONVERGE);
            if (first.exitCode() != 0) {
                assertThat(first.output()).contains("nothing was removed");
                assertThat(CitusState.nodes(release))
                        .as("a failed drain changes nothing")
                        .isEqualTo(CitusState.expectedNodes(release, release.workers()));
                assertThat(CitusState.itemsChecksum(release)).isEqualTo(checksum);
                ShippedHooks.Run second = release.startHook(upgrade, "Job", "citus-scale-down", Map.of())
                        .await(HOOK_TIMEOUT_SECONDS);
                System.out.println("scale-down hook, retried (exit " + second.exitCode() + "):\n" + second.output());
                assertThat(second.exitCode()).as(second.output()).isZero();
            }
            writer.awaitAcks(20, CONVERGE);
        } finally {
            writer.stop();
        }

        assertThat(CitusState.nodes(release)).isEqualTo(CitusState.expectedNodes(release, staying));
        assertThat(CitusState.column(
                        release, "SELECT count(*) FROM citus_shards WHERE nodeport = " + leaving.servicePort()))
                .containsExactly("0");
        assertThat(CitusState.itemsChecksum(release)).isEqualTo(checksum);
        assertThat(CitusState.knn(release)).allSatisfy(ids -> assertThat(ids).hasSize(10));
        Set<Long> present = FailoverScenario.presentIds(release, release.coordinator(), tenant);
        System.out.printf(
                "figures: scale-down 3 -> 2 with %s lost during the drain: first run exit %d, writes again"
                        + " after %.1f s, %d failed attempts, %d acknowledged, %d lost, %d in doubt%n",
                leaving.name(),
                first.exitCode(),
                writer.secondsToWritesAgain(lossNanos).orElse(Double.NaN),
                writer.failuresAfter(lossNanos),
                writer.ackedIds().size(),
                writer.lost(present).size(),
                writer.inDoubt(present));
        assertThat(writer.lost(present)).as("acknowledged rows lost").isEmpty();
        Waits.until(
                CONVERGE,
                "the leaving worker's registrars to be retired",
                () -> leaving.members().stream().allMatch(m -> {
                    try {
                        return release.registrar(m).state().equals("retired");
                    } catch (IOException e) {
                        return false;
                    }
                }),
                release::registrarDiagnostics);
        PatroniRelease.VerifyRun verify = release.verify(2);
        assertThat(verify.exitCode()).as(verify.output()).isZero();
    }
}
