package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.VerifyReport.Check;
import io.citus.pgvector.cluster.VerifyReport.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cluster health checks the chart ships as SQL ({@code files/sql/health-*.sql}, carried in the generator's jar
 * under {@code chart/}): the queries {@code helm test} runs, run here through the coordinator. Each answers rows of
 * (status, message); its inputs are {@code citus_pgvector.*} session settings.
 */
enum HealthCheck {
    WORKERS("workers", "health-workers.sql"),
    EXTENSIONS("extensions", "health-extensions.sql"),
    VECTOR_INDEXES("vector indexes", "health-vector-indexes.sql"),
    SETTINGS("settings", "health-settings.sql");

    /** Where the build puts the chart's files on the classpath. */
    private static final String SQL_FOLDER = "chart/files/sql/";

    private final String checkName;
    private final String file;

    HealthCheck(String checkName, String file) {
        this.checkName = checkName;
        this.file = file;
    }

    /** Runs the check with the given inputs (setting name to value), which are reset afterwards. */
    Check run(Coordinator coordinator, Map<String, String> inputs) throws SQLException {
        String sql = sql();
        for (Map.Entry<String, String> input : inputs.entrySet()) {
            coordinator.queryString("SELECT set_config(?, ?, false)", input.getKey(), input.getValue());
        }
        List<String> summary = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try (Statement s = coordinator.connection().createStatement();
                ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                switch (r.getString(1)) {
                    case "ok" -> summary.add(r.getString(2));
                    case "warn" -> warnings.add(r.getString(2));
                    case "fail" -> failures.add(r.getString(2));
                    default ->
                        throw new SQLException(
                                file + " answered status \"" + r.getString(1) + "\"; expected ok, warn or fail");
                }
            }
        } finally {
            for (String name : inputs.keySet()) {
                coordinator.queryString("SELECT set_config(?, '', false)", name);
            }
        }
        List<String> details = new ArrayList<>(failures);
        details.addAll(warnings);
        Status status = !failures.isEmpty() ? Status.FAIL : warnings.isEmpty() ? Status.OK : Status.WARN;
        return new Check(checkName, status, String.join("; ", summary), details);
    }

    private String sql() {
        return chartSql(file);
    }

    /** One of the chart's SQL files, as the build put it on the classpath. */
    static String chartSql(String file) {
        try (InputStream in = HealthCheck.class.getClassLoader().getResourceAsStream(SQL_FOLDER + file)) {
            if (in == null) {
                throw new IllegalStateException(SQL_FOLDER + file + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
