package io.citus.pgvector.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.SpiloFirstBoot;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's pre-delete guard (uninstall-guard.sh and its SQL, taken from the rendered hook ConfigMap and run as the
 * Job runs them) against local servers that carry what Spilo's first boot leaves in database postgres
 * ({@link SpiloFirstBoot}: a plain log table, file_fdw foreign tables over log files that do not exist, views): a
 * fresh cluster must be uninstallable, a cluster holding user data must not. Plain PostgreSQL runs everywhere; the
 * Citus variant needs Citus and pgvector.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@DisplayName("the uninstall guard on clusters carrying Spilo's first-boot objects")
class UninstallGuardTest {

    @TempDir
    static Path dir;

    private static Path scripts;
    private static Map<String, String> guardEnv;

    @BeforeAll
    static void renderGuard() throws Exception {
        ShippedHooks hooks = ShippedHooks.render(dir, Map.of());
        scripts = hooks.mountScripts(dir.resolve("mounted-scripts"));
        guardEnv = ShippedHooks.env(hooks.named("Job", "citus-uninstall-guard"));
    }

    private static ShippedHooks.Run guard(LocalPostgres server) {
        Map<String, String> connection = new LinkedHashMap<>();
        connection.put("PGHOST", "127.0.0.1");
        connection.put("PGPORT", Integer.toString(server.port()));
        connection.put("PGUSER", LocalPostgres.SUPERUSER);
        connection.put("PGPASSWORD", server.password());
        connection.put("PGDATABASE", "postgres");
        connection.put("PGSSLMODE", "disable");
        return ShippedHooks.run(scripts, "uninstall-guard.sh", guardEnv, connection, 120);
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("plain PostgreSQL")
    class Plain {

        @ParameterizedTest(name = "hourly logs: {0}")
        @ValueSource(booleans = {false, true})
        @DisplayName("a fresh cluster is uninstallable; a table with a row refuses, naming it; emptied, allowed again")
        void freshThenFilled(boolean hourly) {
            Optional<String> unavailable = LocalPostgres.unavailableReason();
            Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
            try (LocalPostgres server = LocalPostgres.start(dir, "plain-" + hourly, "guard-pw", false, false)) {
                SpiloFirstBoot.create(server, hourly);
                assertThat(server.psql("postgres", "SELECT count(*) FROM public.postgres_log")
                                .stderr())
                        .as("the world is Spilo's: reading the log tables reads log files that are not there")
                        .contains("could not open file");

                ShippedHooks.Run fresh = guard(server);
                assertThat(fresh.exitCode()).as(fresh.output()).isZero();
                assertThat(fresh.output()).contains("holds no user data");

                server.query(
                        "postgres",
                        "CREATE SCHEMA app; CREATE TABLE app.empty_one (id int);"
                                + " CREATE TABLE public.docs (id int); INSERT INTO public.docs VALUES (1)");
                ShippedHooks.Run filled = guard(server);
                assertThat(filled.exitCode()).isNotZero();
                assertThat(filled.output())
                        .contains("refusing helm uninstall")
                        .contains("1 table(s)")
                        .contains("public.docs (has rows)")
                        .doesNotContain("empty_one")
                        .doesNotContain("postgres_log")
                        .contains("helm uninstall stops here");

                server.query("postgres", "TRUNCATE public.docs");
                ShippedHooks.Run emptied = guard(server);
                assertThat(emptied.exitCode()).as(emptied.output()).isZero();
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("a Citus coordinator")
    class WithCitus {

        private LocalCitusCluster cluster;

        @BeforeAll
        void start() {
            Optional<String> unavailable = LocalPostgres.citusUnavailableReason();
            Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
            cluster = LocalCitusCluster.start(dir, 1, "guard-pw", true, node -> SpiloFirstBoot.create(node, false));
        }

        @AfterAll
        void stop() {
            if (cluster != null) {
                cluster.close();
            }
        }

        @Test
        @DisplayName("fresh: allowed; an empty distributed table and a reference table refuse, named with their"
                + " kind; dropped: allowed")
        void citusTables() {
            LocalPostgres coordinator = cluster.coordinator();
            ShippedHooks.Run fresh = guard(coordinator);
            assertThat(fresh.exitCode()).as(fresh.output()).isZero();

            coordinator.query(
                    "postgres",
                    "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3));"
                            + " SELECT create_distributed_table('items', 'id');"
                            + " CREATE TABLE channels (id bigint PRIMARY KEY); SELECT create_reference_table('channels')");
            ShippedHooks.Run refused = guard(coordinator);
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output())
                    .contains("refusing helm uninstall")
                    .contains("2 table(s)")
                    .contains("public.channels (reference)")
                    .contains("public.items (distributed)")
                    .doesNotContain("postgres_log");

            coordinator.query("postgres", "DROP TABLE items, channels");
            ShippedHooks.Run allowed = guard(coordinator);
            assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        }
    }
}
