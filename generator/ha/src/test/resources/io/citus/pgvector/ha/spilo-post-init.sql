-- What Spilo's first boot (post_init.sh, run by Patroni in database postgres after bootstrap) leaves behind, as far
-- as this machine's PostgreSQL can hold it: Spilo's roles, the extensions it creates in every database that exist
-- here (pg_auth_mon, set_user, pg_cron and pg_stat_kcache do not), its log tables in postgres (a plain table
-- public.postgres_log and file_fdw foreign tables public.postgres_log_0 .. _7 over the csvlog files), and its
-- helper schemas.
CREATE ROLE admin CREATEDB NOLOGIN;
CREATE ROLE robot_zmon;
CREATE ROLE cron_admin NOLOGIN;

CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;
CREATE EXTENSION IF NOT EXISTS file_fdw SCHEMA public;
CREATE SERVER pglog FOREIGN DATA WRAPPER file_fdw;

CREATE TABLE IF NOT EXISTS public.postgres_log (
    log_time timestamp(3) with time zone,
    user_name text,
    database_name text,
    process_id integer,
    connection_from text,
    session_id text NOT NULL,
    session_line_num bigint NOT NULL,
    command_tag text,
    session_start_time timestamp with time zone,
    virtual_transaction_id text,
    transaction_id bigint,
    error_severity text,
    sql_state_code text,
    message text,
    detail text,
    hint text,
    internal_query text,
    internal_query_pos integer,
    context text,
    query text,
    query_pos integer,
    location text,
    application_name text,
    backend_type text,
    leader_pid integer,
    query_id bigint,
    CONSTRAINT postgres_log_check CHECK (false) NO INHERIT
);
GRANT SELECT ON public.postgres_log TO admin;

DO $$
BEGIN
  FOR i IN 0..7 LOOP
    EXECUTE format('CREATE FOREIGN TABLE IF NOT EXISTS public.postgres_log_%s () INHERITS (public.postgres_log)'
                   ' SERVER pglog OPTIONS (filename %L, format %L, header %L)',
                   i, '../pg_log/postgresql-' || i || '.csv', 'csv', 'false');
    EXECUTE format('GRANT SELECT ON public.postgres_log_%s TO admin', i);
  END LOOP;
END
$$;

CREATE SCHEMA IF NOT EXISTS metric_helpers AUTHORIZATION postgres;
CREATE OR REPLACE VIEW metric_helpers.pg_stat_statements AS SELECT * FROM public.pg_stat_statements(true);
GRANT USAGE ON SCHEMA metric_helpers TO admin, robot_zmon;
CREATE SCHEMA IF NOT EXISTS user_management AUTHORIZATION postgres;
CREATE SCHEMA IF NOT EXISTS zmon_utils AUTHORIZATION postgres;

\c template1
CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;
