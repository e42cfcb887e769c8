package io.citus.pgvector.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What Spilo's first boot leaves in database {@code postgres} besides the extensions, recreated on a test server as
 * Spilo 4.0-p3's {@code post_init.sh} creates it (Patroni runs that script once, as the superuser): the roles
 * {@code admin} and {@code robot_zmon}; extension {@code file_fdw} in {@code public} with foreign server
 * {@code pglog}; the plain table {@code public.postgres_log} with the CSV log columns of PostgreSQL 14+ and a
 * {@code CHECK (false) NO INHERIT} constraint, so it never holds a row itself; and per weekday 0..7 either a
 * file_fdw foreign table {@code public.postgres_log_N} inheriting from it over {@code ../pg_log/postgresql-N.csv}
 * (daily log files) or, with hourly log shipping, foreign tables {@code public.postgres_log_N_HH} over
 * {@code ../pg_log/postgresql-N-HH.csv} and a view {@code public.postgres_log_N} over the 24 of them; and
 * {@code public.failed_authentication_*} views over those. The log files do not exist here, just as on a fresh pod
 * most of them do not yet: anything that reads a foreign table fails. Also Spilo's helper schema
 * {@code metric_helpers} (views and functions, no tables) and {@code pg_stat_statements} in {@code public}.
 * Needs postgresql-contrib (file_fdw, pg_stat_statements).
 */
public final class SpiloFirstBoot {

    private SpiloFirstBoot() {}

    /** Creates the objects in database {@code postgres} of {@code server}; {@code hourly}: Spilo's LOG_SHIP_HOURLY. */
    public static void create(LocalPostgres server, boolean hourly) {
        try (Connection c = server.connect("postgres");
                Statement s = c.createStatement()) {
            for (String statement : statements(hourly)) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create Spilo's first-boot objects on port " + server.port() + ": " + e.getMessage(), e);
        }
    }

    /** The statements, in order, for database {@code postgres} (also what a Patroni post_init script runs). */
    public static List<String> statements(boolean hourly) {
        List<String> sql = new ArrayList<>(List.of(
                createRoleUnlessExists("admin", "CREATEDB NOLOGIN"),
                createRoleUnlessExists("robot_zmon", "NOLOGIN"),
                "CREATE EXTENSION IF NOT EXISTS file_fdw SCHEMA public",
                "CREATE SERVER pglog FOREIGN DATA WRAPPER file_fdw",
                """
                CREATE TABLE public.postgres_log (
                  log_time timestamp(3) with time zone, user_name text, database_name text, process_id integer,
                  connection_from text, session_id text NOT NULL, session_line_num bigint NOT NULL,
                  command_tag text, session_start_time timestamp with time zone, virtual_transaction_id text,
                  transaction_id bigint, error_severity text, sql_state_code text, message text, detail text,
                  hint text, internal_query text, internal_query_pos integer, context text, query text,
                  query_pos integer, location text, application_name text, backend_type text,
                  leader_pid integer, query_id bigint,
                  CONSTRAINT postgres_log_check CHECK (false) NO INHERIT)""",
                "GRANT SELECT ON public.postgres_log TO admin"));
        for (int day = 0; day <= 7; day++) {
            if (hourly) {
                List<String> hours = new ArrayList<>();
                for (int hour = 0; hour < 24; hour++) {
                    String table = String.format("public.postgres_log_%d_%02d", day, hour);
                    sql.add(foreignLogTable(table, String.format("../pg_log/postgresql-%d-%02d.csv", day, hour)));
                    sql.add(failedAuthenticationView(
                            String.format("public.failed_authentication_%d_%02d", day, hour), table));
                    hours.add("SELECT * FROM " + table);
                }
                sql.add("CREATE VIEW public.postgres_log_" + day + " AS " + String.join(" UNION ALL ", hours));
            } else {
                String table = "public.postgres_log_" + day;
                sql.add(foreignLogTable(table, "../pg_log/postgresql-" + day + ".csv"));
                sql.add(failedAuthenticationView("public.failed_authentication_" + day, table));
            }
        }
        sql.add("CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public");
        sql.add("CREATE SCHEMA metric_helpers AUTHORIZATION postgres");
        sql.add("CREATE VIEW metric_helpers.pg_stat_statements AS SELECT * FROM public.pg_stat_statements(true)");
        sql.add("CREATE FUNCTION metric_helpers.get_nearly_exhausted_sequences(threshold float)"
                + " RETURNS SETOF text LANGUAGE sql AS 'SELECT NULL::text WHERE false'");
        return sql;
    }

    /** Spilo's roles are cluster-wide (and Citus propagates roles), so post_init.sh creates them only when missing. */
    private static String createRoleUnlessExists(String role, String options) {
        return "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '" + role
                + "') THEN CREATE ROLE " + role + " " + options + "; END IF; END$$";
    }

    private static String foreignLogTable(String table, String file) {
        return "CREATE FOREIGN TABLE " + table + " () INHERITS (public.postgres_log) SERVER pglog OPTIONS (filename '"
                + file + "', format 'csv', header 'false')";
    }

    private static String failedAuthenticationView(String view, String table) {
        return "CREATE VIEW " + view + " WITH (security_barrier) AS SELECT * FROM " + table
                + " WHERE command_tag = 'authentication' AND error_severity = 'FATAL'";
    }
}
