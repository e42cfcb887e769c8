package io.citus.pgvector.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a change of the cluster's layout must not change in a table {@code (id bigint, embedding vector(d))}: its row
 * count, a checksum over ids and embeddings, and the exact top-10 of fixed queries.
 */
record VectorTableSnapshot(long rows, String checksum, List<List<Long>> topTen) {

    /** The state of {@code table} whose vectors have {@code dimension} elements, with {@code queries} queries. */
    static VectorTableSnapshot of(Connection c, String table, int dimension, int queries) throws SQLException {
        try (Statement s = c.createStatement()) {
            long rows;
            String checksum;
            try (ResultSet r = s.executeQuery("SELECT count(*), md5(string_agg(id || ':' || embedding::text, ','"
                    + " ORDER BY id)) FROM " + table)) {
                r.next();
                rows = r.getLong(1);
                checksum = r.getString(2);
            }
            List<List<Long>> topTen = new ArrayList<>();
            for (int q = 1; q <= queries; q++) {
                // Exact kNN: "+ 0" keeps the HNSW index out, so the answer is deterministic.
                String vector = "(SELECT array_agg(cos(" + q + " * 1.3 + d * 0.7)::real ORDER BY d)"
                        + " FROM generate_series(1, " + dimension + ") d)::vector";
                List<Long> ids = new ArrayList<>();
                try (ResultSet r = s.executeQuery(
                        "SELECT id FROM " + table + " ORDER BY (embedding <-> " + vector + ") + 0, id LIMIT 10")) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
                assertThat(ids).hasSize(10);
                topTen.add(ids);
            }
            return new VectorTableSnapshot(rows, checksum, topTen);
        }
    }
}
