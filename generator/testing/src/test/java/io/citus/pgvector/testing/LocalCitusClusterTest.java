package io.citus.pgvector.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The local cluster fixture on its own: real servers, password auth, Citus spreading a vector table over workers. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LocalCitusClusterTest {

    @TempDir
    Path dir;

    @Test
    void plainServerWithPasswordAuthentication() throws Exception {
        Optional<String> unavailable = LocalPostgres.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        try (LocalPostgres pg = LocalPostgres.start(dir, "plain", "pw-1", false, false)) {
            try (Connection c = pg.connect("postgres");
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SHOW password_encryption")) {
                r.next();
                assertThat(r.getString(1)).isEqualTo("scram-sha-256");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl("postgres"), "postgres", "wrong"))
                    .hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void distributedVectorTableSpansTheWorkers() throws Exception {
        Optional<String> unavailable = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        try (LocalCitusCluster cluster = LocalCitusCluster.start(dir, 2, "pw-2", true)) {
            try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE items (channel bigint, id bigint, embedding vector(3))");
                s.execute("SELECT create_distributed_table('items', 'channel')");
                s.execute("INSERT INTO items SELECT i % 10, i, ARRAY[i, i * 2, i * 3]::vector"
                        + " FROM generate_series(1, 200) i");
                s.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)");
                try (ResultSet r = s.executeQuery("SELECT count(DISTINCT nodeport) FROM citus_shards"
                        + " WHERE table_name = 'items'::regclass")) {
                    r.next();
                    assertThat(r.getInt(1)).isEqualTo(2);
                }
                List<Long> ids = new ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT id FROM items ORDER BY embedding <-> '[10,20,30]' LIMIT 3")) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
                assertThat(ids).hasSize(3).first().isEqualTo(10L);
            }
        }
    }
}
