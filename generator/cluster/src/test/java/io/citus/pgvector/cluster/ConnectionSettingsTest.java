package io.citus.pgvector.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citus.pgvector.cluster.ConnectionSettings.Given;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Connection settings resolve the way psql resolves them, and never show the password. */
class ConnectionSettingsTest {

    private static final Given NOTHING = new Given(null, null, null, null, null, null);

    @Test
    @DisplayName("defaults: localhost:5432, user postgres, database named after the user, sslmode prefer")
    void defaults() {
        ConnectionSettings s = ConnectionSettings.resolve(NOTHING, Map.of(), null);
        assertThat(s).isEqualTo(new ConnectionSettings("localhost", 5432, "postgres", "postgres", "prefer", null));
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
    }

    @Test
    @DisplayName("options win over the URI, which wins over PG* variables")
    void precedence() {
        Map<String, String> env = Map.of(
                "PGHOST",
                "envhost",
                "PGPORT",
                "6000",
                "PGUSER",
                "envuser",
                "PGDATABASE",
                "envdb",
                "PGSSLMODE",
                "require",
                "PGPASSWORD",
                "env-secret");
        assertThat(ConnectionSettings.resolve(NOTHING, env, null))
                .isEqualTo(new ConnectionSettings("envhost", 6000, "envuser", "envdb", "require", "env-secret"));
        ConnectionSettings fromUri = ConnectionSettings.resolve(
                new Given(
                        "postgresql://app:uri%40secret@db.example:6432/vectors?sslmode=verify-full",
                        null, null, null, null, null),
                env,
                null);
        assertThat(fromUri)
                .isEqualTo(new ConnectionSettings("db.example", 6432, "app", "vectors", "verify-full", "env-secret"));
        assertThat(ConnectionSettings.resolve(
                                new Given(
                                        "postgresql://app:uri%40secret@db.example/vectors",
                                        null, null, null, null, null),
                                Map.of(),
                                null)
                        .password())
                .isEqualTo("uri@secret");
        ConnectionSettings fromOptions = ConnectionSettings.resolve(
                new Given("postgresql://app@db.example:6432/v", "127.0.0.1", 5433, "postgres", "postgres", "disable"),
                env,
                "file-secret");
        assertThat(fromOptions)
                .isEqualTo(new ConnectionSettings("127.0.0.1", 5433, "postgres", "postgres", "disable", "file-secret"));
    }

    @Test
    @DisplayName("the password is never part of the text form")
    void passwordHidden() {
        ConnectionSettings s = ConnectionSettings.resolve(NOTHING, Map.of("PGPASSWORD", "s3cr3t-value"), null);
        assertThat(s.toString()).doesNotContain("s3cr3t-value").contains("***");
        assertThat(s.describe()).doesNotContain("s3cr3t-value");
        assertThat(ConnectionSettings.redact("postgresql://u:s3cr3t@h/db")).isEqualTo("postgresql://u:***@h/db");
    }

    @Test
    @DisplayName("bad input is rejected with the reason, without echoing a password")
    void rejects() {
        assertThatThrownBy(() -> ConnectionSettings.resolve(
                        new Given("mysql://u:s3cr3t@h/db", null, null, null, null, null), Map.of(), null))
                .hasMessageContaining("postgresql://")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> ConnectionSettings.resolve(NOTHING, Map.of("PGSSLMODE", "sometimes"), null))
                .hasMessageContaining("sslmode");
        assertThatThrownBy(() -> ConnectionSettings.resolve(NOTHING, Map.of("PGPORT", "x"), null))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> ConnectionSettings.resolve(
                        new Given("postgresql://h/db?application_name=x", null, null, null, null, null),
                        Map.of(),
                        null))
                .hasMessageContaining("application_name");
    }

    @Test
    @DisplayName("bench configurations: presets, and NAME:shards=N,setting=value")
    void benchConfigs() {
        assertThat(BenchConfig.parse("stock").shards()).isEqualTo(32);
        assertThat(BenchConfig.parse("stock").settings())
                .containsEntry("hnsw.ef_search", "40")
                .containsEntry("citus.max_cached_conns_per_worker", "1");
        assertThat(BenchConfig.parse("cluster").shards()).isNull();
        BenchConfig custom = BenchConfig.parse("ef200:shards=8,hnsw.ef_search=200");
        assertThat(custom.name()).isEqualTo("ef200");
        assertThat(custom.shards()).isEqualTo(8);
        assertThat(custom.settings()).isEqualTo(Map.of("hnsw.ef_search", "200"));
        assertThatThrownBy(() -> BenchConfig.parse("fast")).hasMessageContaining("NAME:");
        assertThatThrownBy(() -> BenchConfig.parse("x:shards=0")).hasMessageContaining("shards");
        assertThatThrownBy(() -> BenchConfig.parse("x:work_mem;drop=1")).hasMessageContaining("not a setting");
    }
}
