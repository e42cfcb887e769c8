package io.citus.pgvector.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.model.ManagedSetting.Role;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog of managed settings agrees with the chart that sets them and with the servers that define them. */
@DisplayName("the catalog of managed settings")
class ManagedSettingTest {

    private static final Path CHART = ProjectFiles.committedChart();

    @Test
    @DisplayName("is exactly what the chart's parameter helper writes into each role's postgresql resources")
    void chartWritesTheCatalog() throws Exception {
        RenderedChart rendered = Charts.render(CHART, Map.of("workers.count", "3"));
        for (Role role : Role.values()) {
            List<String> expected = ManagedSetting.all().stream()
                    .filter(s -> s.roles().contains(role))
                    .map(ManagedSetting::guc)
                    .sorted()
                    .toList();
            List<JsonNode> resources = rendered.postgresqls(role == Role.COORDINATOR ? "coordinator" : "worker");
            assertThat(resources).as(role.valuesKey()).isNotEmpty();
            for (JsonNode resource : resources) {
                List<String> names = new ArrayList<>();
                resource.at("/spec/postgresql/parameters").fieldNames().forEachRemaining(names::add);
                assertThat(new TreeSet<>(names))
                        .as(resource.at("/metadata/name").asText())
                        .containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    @DisplayName("names values keys that exist, and each sets its setting on every node")
    void valuesKeysSetTheirSettings() throws Exception {
        Values defaults = DefaultValues.get();
        for (ManagedSetting setting : ManagedSetting.all()) {
            if (setting.valuesKey().isEmpty()) {
                continue;
            }
            ValueField field = field(setting.valuesKey());
            String probe = probe(field, String.valueOf(valueAt(defaults, setting.valuesKey())));
            RenderedChart rendered = Charts.render(CHART, Map.of(setting.valuesKey(), probe));
            for (JsonNode resource : rendered.ofKind("postgresql")) {
                assertThat(resource.at("/spec/postgresql/parameters")
                                .path(setting.guc())
                                .asText())
                        .as(
                                "%s on %s with %s=%s",
                                setting.guc(), resource.at("/metadata/name").asText(), setting.valuesKey(), probe)
                        .isEqualTo(probe);
            }
        }
    }

    @Test
    @DisplayName("states the stock defaults PostgreSQL, Citus and pgvector really have")
    void stockDefaults(@TempDir Path dir) throws Exception {
        Optional<String> reason = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
        try (LocalPostgres server = LocalPostgres.start(dir, "stock", "stock-password", true, false);
                Connection c = server.connect("postgres")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("LOAD 'vector'");
            }
            for (ManagedSetting setting : ManagedSetting.all()) {
                assertThat(bootValue(c, setting))
                        .as("%s (%s)", setting.guc(), setting.origin())
                        .isEqualTo(asServerStores(c, setting));
                c.rollback();
            }
        }
    }

    /** The compiled-in default, in the server's own units, whatever postgresql.conf says. */
    private static String bootValue(Connection c, ManagedSetting setting) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT boot_val FROM pg_settings WHERE name = ?")) {
            s.setString(1, setting.guc());
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next())
                        .as("%s is known to the server", setting.guc())
                        .isTrue();
                return r.getString(1);
            }
        }
    }

    /**
     * The catalog's stock default as the server stores it: set in the open transaction where a session may set it
     * (so 64MB reads 65536 like the boot value), as written otherwise.
     */
    private static String asServerStores(Connection c, ManagedSetting setting) throws Exception {
        String context;
        try (PreparedStatement s = c.prepareStatement("SELECT context FROM pg_settings WHERE name = ?")) {
            s.setString(1, setting.guc());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                context = r.getString(1);
            }
        }
        if (!List.of("user", "superuser").contains(context)) {
            return setting.stockDefault();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT set_config(?, ?, true)")) {
            s.setString(1, setting.guc());
            s.setString(2, setting.stockDefault());
            s.execute();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT setting FROM pg_settings WHERE name = ?")) {
            s.setString(1, setting.guc());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }

    /** The model's field behind a dotted values key. */
    private static ValueField field(String valuesKey) {
        Class<?> type = Values.class;
        ValueField found = null;
        for (String part : valuesKey.split("\\.")) {
            found = ValueField.of(type).stream()
                    .filter(f -> f.name().equals(part))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no values key " + valuesKey));
            type = found.kind() == ValueKind.RECORD ? found.recordType() : null;
        }
        return found;
    }

    private static Object valueAt(Values values, String valuesKey) {
        Object current = values;
        Class<?> type = Values.class;
        for (String part : valuesKey.split("\\.")) {
            ValueField f = ValueField.of(type).stream()
                    .filter(x -> x.name().equals(part))
                    .findFirst()
                    .orElseThrow();
            current = f.valueIn((Record) current);
            type = f.kind() == ValueKind.RECORD ? f.recordType() : null;
        }
        return current;
    }

    /** A valid value other than the default. */
    private static String probe(ValueField field, String defaultValue) {
        if (field.oneOf() != null) {
            return List.of(field.oneOf().value()).stream()
                    .filter(v -> !v.equals(defaultValue))
                    .findFirst()
                    .orElseThrow();
        }
        assertThat(field.kind()).as(field.name()).isEqualTo(ValueKind.INTEGER);
        long candidate = Math.max(field.range().min(), 1) + 6;
        return String.valueOf(candidate == Long.parseLong(defaultValue) ? candidate + 1 : candidate);
    }
}
