package io.citus.pgvector.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post-upgrade scale-up hook splitting shards while the worker that holds the shard being split loses its
 * primary (node loss), under writes into that shard. A release with three workers, each a Patroni pair, holds two
 * tables distributed with 2 shards of their own (so only two workers hold them), and the hook runs with
 * {@code scaling.splitShards=all}, as a user asks for tables with their own shard count. The hook must either finish
 * or stop with the shards whole; run again as a user re-runs the upgrade, it must finish. No acknowledged row may be
 * lost, no shard split twice, every worker must hold shards of both tables, and {@code verify} must be healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 25, unit = TimeUnit.MINUTES)
@DisplayName("HA tier with Citus: shard splits of the scale-up hook while the source worker fails over, under writes")
class CitusSplitFailoverTest {

    private static final Duration PACE = Duration.ofMillis(20);
    private static final Duration CONVERGE = Duration.ofSeconds(180);
    private static final long HOOK_TIMEOUT_SECONDS = 900;
    private static final Pattern SPLITTING = Pattern.compile("splitting shard (\\d+) ");
    private static final Pattern SPLIT = Pattern.compile(" split shard (\\d+) ");

    @TempDir
    static Path dir;

    private PatroniRelease release;

    @BeforeAll
    void start() throws Exception {
        Optional<String> unavailable = PatroniRelease.unavailableReason().or(LocalPostgres::citusUnavailableReason);
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        Map<String, String> values = Map.of("workers.count", "3", "registrar.intervalSeconds", "5");
        release = PatroniRelease.start(dir, ShippedHooks.render(dir, values), true);
    }

    @AfterAll
    void stop() {
        if (release != null) {
            release.close();
        }
    }

    @Test
    @DisplayName("the split either completes or leaves the shards whole; re-run, it completes; nothing acknowledged"
            + " is lost")
    void splitDuringFailover() throws Exception {
        release.awaitRegistrarsFor("registered", CONVERGE);
        try (Connection c = release.coordinator().connect("postgres");
                Statement s = c.createStatement()) {
            // Two shards each, in the session that distributes them: a shard count of their own.
            s.execute("ALTER ROLE " + LocalPostgres.SUPERUSER + " SET citus.shard_count = 2");
        }
        try (Connection c = release.coordinator().connect("postgres")) {
            Writer.createTable(c, true);
        }
        CitusState.createItems(release, 5000);
        try (Connection c = release.coordinator().connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + LocalPostgres.SUPERUSER + " RESET citus.shard_count");
        }
        assertThat(CitusState.column(
                        release,
                        "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = '" + Writer.TABLE
                                + "'::regclass"))
                .containsExactly("2");
        String checksum = CitusState.itemsChecksum(release);
        // The writer's tenant lies in the writes table's first hash range: the shard the hook splits first.
        int tenant = Integer.parseInt(CitusState.column(
                        release,
                        "SELECT t FROM generate_series(1, 1000) t WHERE get_shard_id_for_distribution_column('"
                                + Writer.TABLE + "', t) = (SELECT shardid FROM pg_dist_shard WHERE logicalrelid = '"
                                + Writer.TABLE + "'::regclass ORDER BY shardminvalue::integer LIMIT 1)"
                                + " ORDER BY t LIMIT 1")
                .get(0));

        Writer writer = Writer.start(
                release.coordinator().jdbcUrl("postgres"),
                release.superuserPassword(release.coordinator().name()),
                tenant,
                PACE);
        List<String> splitIds = new ArrayList<>();
        long lossNanos;
        ShippedHooks.Run first;
        try {
            writer.awaitAcks(20, CONVERGE);
            ShippedHooks.Running hook =
                    release.startHook("Job", "citus-scale-up", Map.of("SPLIT_SHARDS", "all", "POLL_SECONDS", "5"));
            Waits.until(
                    CONVERGE,
                    "the scale-up hook to start a split",
                    () -> SPLITTING.matcher(hook.output()).find()
                            || !hook.process().isAlive(),
                    hook::output);
            Matcher splitting = SPLITTING.matcher(hook.output());
            assertThat(splitting.find()).as(hook.output()).isTrue();
            String shard = splitting.group(1);
            int port = Integer.parseInt(
                    CitusState.column(release, "SELECT nodeport FROM citus_shards WHERE shardid = " + shard)
                            .get(0));
            PatroniCluster source = release.workers().stream()
                    .filter(w -> w.servicePort() == port)
                    .findFirst()
                    .orElseThrow();
            PatroniMember leader = source.requireLeader();
            lossNanos = System.nanoTime();
            release.losePod(leader);
            System.out.println("lost " + leader.name() + " while the hook was splitting shard " + shard);
            first = hook.await(HOOK_TIMEOUT_SECONDS);
            System.out.println("scale-up hook, first run (exit " + first.exitCode() + "):\n" + first.output());
            splitIds.addAll(ids(SPLIT, first.output()));
            release.awaitAllHealthy(CONVERGE);
            if (first.exitCode() != 0) {
                assertThat(first.output()).contains("--reuse-values");
                ShippedHooks.Run second = release.startHook(
                                "Job", "citus-scale-up", Map.of("SPLIT_SHARDS", "all", "POLL_SECONDS", "5"))
                        .await(HOOK_TIMEOUT_SECONDS);
                System.out.println("scale-up hook, re-run (exit " + second.exitCode() + "):\n" + second.output());
                assertThat(second.exitCode()).as(second.output()).isZero();
                splitIds.addAll(ids(SPLIT, second.output()));
            }
            writer.awaitAcks(20, CONVERGE);
        } finally {
            writer.stop();
        }

        assertThat(splitIds).as("no shard split twice").doesNotHaveDuplicates().hasSize(4);
        for (String table : List.of(Writer.TABLE, CitusState.ITEMS)) {
            assertThat(CitusState.column(
                            release,
                            "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = '" + table
                                    + "'::regclass"))
                    .as("workers holding shards of %s", table)
                    .containsExactly("3");
        }
        assertThat(CitusState.itemsChecksum(release)).isEqualTo(checksum);
        assertThat(CitusState.knn(release)).allSatisfy(ids -> assertThat(ids).hasSize(10));
        Set<Long> present = FailoverScenario.presentIds(release, release.coordinator(), tenant);
        System.out.printf(
                "figures: split with the source worker's primary lost: first run exit %d, writes again after %.1f s,"
                        + " %d failed attempts, %d acknowledged, %d lost, %d in doubt%n",
                first.exitCode(),
                writer.secondsToWritesAgain(lossNanos).orElse(Double.NaN),
                writer.failuresAfter(lossNanos),
                writer.ackedIds().size(),
                writer.lost(present).size(),
                writer.inDoubt(present));
        assertThat(writer.lost(present)).as("acknowledged rows lost").isEmpty();
        PatroniRelease.VerifyRun verify = release.verify(3);
        assertThat(verify.exitCode()).as(verify.output()).isZero();
    }

    private static List<String> ids(Pattern pattern, String output) {
        List<String> ids = new ArrayList<>();
        Matcher m = pattern.matcher(output);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }
}
