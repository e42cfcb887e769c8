package io.citus.pgvector.ha;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.testing.ProjectFiles;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How the HA fixture configures Patroni from a rendered resource: the operator's split and Spilo's rules. */
class SpiloConfigurationTest {

    private static final Set<String> LIBRARIES = Set.of("citus", "pg_stat_statements", "file_fdw");

    private static JsonNode worker() throws Exception {
        return Charts.render(ProjectFiles.committedChart(), Map.of()).named("postgresql", "citus-worker-1");
    }

    @Test
    @DisplayName("the operator's split: bootstrap-only names local, everything else in bootstrap.dcs")
    void parameterSplit() throws Exception {
        SpiloConfiguration spilo = SpiloConfiguration.of(worker(), LIBRARIES);
        assertThat(spilo.localParameters())
                .containsEntry("shared_preload_libraries", "citus,pg_stat_statements")
                .containsEntry("ssl", "on")
                .doesNotContainKeys(
                        "wal_level",
                        "max_prepared_transactions",
                        "citus.shard_count",
                        "hnsw.ef_search",
                        "maintenance_work_mem");
        assertThat(spilo.dcsParameters())
                .containsEntry("wal_level", "logical")
                .containsKeys(
                        "max_prepared_transactions",
                        "citus.local_hostname",
                        "citus.shard_count",
                        "hnsw.ef_search",
                        "hnsw.iterative_scan",
                        "maintenance_work_mem")
                .doesNotContainKeys("shared_preload_libraries", "ssl");
        assertThat(spilo.droppedLibraries())
                .containsExactly("bg_mon", "pgextwlist", "pg_auth_mon", "set_user", "pg_cron", "pg_stat_kcache");
        assertThat(spilo.instances()).isEqualTo(2);
        assertThat(spilo.preparedDatabases().get("postgres").extensions())
                .containsExactly(Map.entry("citus", "pg_catalog"), Map.entry("vector", "public"));
    }

    @Test
    @DisplayName("Spilo's access rules: local trust, non-TLS TCP rejected before any password rule")
    void accessRules() throws Exception {
        SpiloConfiguration spilo = SpiloConfiguration.of(worker(), LIBRARIES);
        assertThat(spilo.pgHba())
                .startsWith("local all all trust")
                .containsSubsequence("hostnossl all all all reject", "hostssl all all all scram-sha-256")
                .noneMatch(line -> line.startsWith("host "));
    }

    @Test
    @DisplayName("spec.patroni as the operator copies it, over Spilo's defaults (Patroni's 30/10/10)")
    void patroniSection() throws Exception {
        JsonNode rendered = worker();
        SpiloConfiguration chart = SpiloConfiguration.of(rendered, LIBRARIES);
        for (String key : java.util.List.of("ttl", "loop_wait", "retry_timeout")) {
            assertThat(chart.timing(key))
                    .as(key)
                    .isEqualTo(rendered.at("/spec/patroni/" + key).asLong());
        }
        assertThat(chart.synchronousMode())
                .as("the chart's default for 2 instances")
                .isTrue();
        ObjectNode bare = rendered.deepCopy();
        ((ObjectNode) bare.get("spec")).remove("patroni");
        SpiloConfiguration defaults = SpiloConfiguration.of(bare, LIBRARIES);
        assertThat(defaults.timing("ttl")).isEqualTo(30);
        assertThat(defaults.timing("loop_wait")).isEqualTo(10);
        assertThat(defaults.timing("retry_timeout")).isEqualTo(10);
        assertThat(defaults.synchronousMode()).isFalse();
        ObjectNode changed = rendered.deepCopy();
        ObjectNode patroni = ((ObjectNode) changed.get("spec")).putObject("patroni");
        patroni.put("ttl", 20)
                .put("loop_wait", 5)
                .put("retry_timeout", 0)
                .put("synchronous_mode", true)
                .put("synchronous_mode_strict", false);
        SpiloConfiguration spilo = SpiloConfiguration.of(changed, LIBRARIES);
        assertThat(spilo.timing("ttl")).isEqualTo(20);
        assertThat(spilo.timing("loop_wait")).isEqualTo(5);
        assertThat(spilo.timing("retry_timeout")).as("0 is not copied").isEqualTo(10);
        assertThat(spilo.synchronousMode()).isTrue();
        assertThat(spilo.dcs()).as("false is not copied").doesNotContainKey("synchronous_mode_strict");
        assertThat(new ObjectMapper()
                        .valueToTree(spilo.dcs())
                        .at("/postgresql/use_pg_rewind")
                        .asBoolean())
                .isTrue();
    }
}
