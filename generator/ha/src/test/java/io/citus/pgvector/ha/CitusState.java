package io.citus.pgvector.ha;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What must survive a failover on a Citus release, read through the coordinator's Service: the node metadata, and a
 * distributed vector table answering router and fan-out kNN queries through its HNSW indexes.
 */
final class CitusState {

    static final String ITEMS = "ha_items";
    private static final int DIMENSION = 16;
    private static final String QUERY_VECTOR = "(SELECT array_agg(cos(d * 0.7)::real ORDER BY d)"
            + " FROM generate_series(1, " + DIMENSION + ") d)::vector";

    private CitusState() {}

    /**
     * {@code nodename:nodeport:groupid-is-coordinator:isactive:shouldhaveshards} of every primary node, sorted (the
     * secondaries of replica reads move with the standbys: {@link #secondaries}).
     */
    static List<String> nodes(PatroniRelease release) throws SQLException {
        return column(
                release,
                "SELECT nodename || ':' || nodeport || ':' || (groupid = 0) || ':' || isactive"
                        + " || ':' || shouldhaveshards FROM pg_dist_node WHERE noderole = 'primary'"
                        + " ORDER BY nodename, nodeport");
    }

    /** {@code primary-port>secondary-name:secondary-port} of every secondary, by the port of its group's primary. */
    static List<String> secondaries(PatroniRelease release) throws SQLException {
        return column(
                release,
                "SELECT p.nodeport || '>' || s.nodename || ':' || s.nodeport FROM pg_dist_node s"
                        + " LEFT JOIN pg_dist_node p ON p.groupid = s.groupid AND p.noderole = 'primary'"
                        + " WHERE s.noderole = 'secondary' ORDER BY p.nodeport, s.nodename, s.nodeport");
    }

    /** The metadata a release with these workers must have: each worker once, active, and the coordinator once. */
    static List<String> expectedNodes(PatroniRelease release, List<PatroniCluster> workers) {
        List<String> nodes = new ArrayList<>();
        nodes.add("127.0.0.1:" + release.coordinator().servicePort() + ":true:true:false");
        workers.forEach(w -> nodes.add("127.0.0.1:" + w.servicePort() + ":false:true:true"));
        nodes.sort(String::compareTo);
        return nodes;
    }

    /** A distributed table of {@code rows} vectors over 20 channels with an HNSW index. */
    static void createItems(PatroniRelease release, int rows) throws SQLException {
        try (Connection c = release.coordinator().connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + ITEMS + " (channel bigint NOT NULL, id bigint NOT NULL, embedding vector("
                    + DIMENSION + ") NOT NULL, PRIMARY KEY (channel, id))");
            s.execute("SELECT create_distributed_table('" + ITEMS + "', 'channel')");
            s.execute("INSERT INTO " + ITEMS + " SELECT i % 20, i, (SELECT array_agg(sin(i * 0.37 + d * 1.91)::real"
                    + " ORDER BY d) FROM generate_series(1, " + DIMENSION + ") d)::vector"
                    + " FROM generate_series(1, " + rows + ") i");
            s.execute("CREATE INDEX ON " + ITEMS + " USING hnsw (embedding vector_l2_ops)");
        }
    }

    /**
     * The ids a router kNN query (one channel) and a fan-out kNN query (every shard) return, sorted: rows at equal
     * distance may come back in either order when the coordinator merges the shards' answers.
     */
    static List<List<Long>> knn(PatroniRelease release) throws SQLException {
        List<List<Long>> answers = new ArrayList<>();
        answers.add(ids(
                release,
                "SELECT id FROM " + ITEMS + " WHERE channel = 7 ORDER BY embedding <-> " + QUERY_VECTOR + " LIMIT 10"));
        answers.add(ids(release, "SELECT id FROM " + ITEMS + " ORDER BY embedding <-> " + QUERY_VECTOR + " LIMIT 10"));
        return answers;
    }

    /** Row count and a checksum over every row of {@link #ITEMS}. */
    static String itemsChecksum(PatroniRelease release) throws SQLException {
        return column(
                        release,
                        "SELECT count(*) || ':' || md5(string_agg(id || ':' || embedding::text, ','"
                                + " ORDER BY id)) FROM " + ITEMS)
                .get(0);
    }

    private static List<Long> ids(PatroniRelease release, String sql) throws SQLException {
        return column(release, sql).stream().map(Long::valueOf).sorted().toList();
    }

    static List<String> column(PatroniRelease release, String sql) throws SQLException {
        try (Connection c = release.coordinator().connect("postgres");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        }
    }
}
