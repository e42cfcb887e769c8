-- Registrar, on the worker and on the coordinator, before registrar-worker.sql or registrar-coordinator.sql in one
-- script: the extensions, then the application roles (applicationRoles) and the passwords of the superuser and of
-- those roles in pg_dist_authinfo (node 0: every node), where Citus looks for them. Changes happen under the
-- registrars' advisory lock (:lock_key) and are re-checked under it; the passwords come from the environment
-- (\getenv), never from the command line, with statement logging off.
-- The operator creates the extensions itself (preparedDatabases, at create and on every sync), after reading
-- pg_extension, with CREATE EXTENSION IF NOT EXISTS: a CREATE of the same extension running here at that moment
-- would make its statement fail (duplicate key in pg_extension) and the cluster show CreateFailed until its next
-- sync. So while the extensions are missing the script only reports them (extensions_missing), unless the caller
-- allows creating them (create_extensions: after the grace period) or nobody can (an extension not installed, citus
-- not preloaded): then the attempt reports why at once. Each missing one is created in the schema the operator asks
-- for, and a concurrent creation by another session counts as done.
\echo step checking the extensions
SELECT coalesce(string_agg(w.name, ' ' ORDER BY w.position), '') AS missing,
       count(*) > 0 AS extensions_missing,
       :'create_extensions'::boolean
         OR coalesce(bool_or(NOT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions a WHERE a.name = w.name)
                             OR (w.name = 'citus' AND NOT 'citus' = ANY (pg_catalog.string_to_array(
                                   replace(pg_catalog.current_setting('shared_preload_libraries'), ' ', ''), ',')))),
                     false) AS create_now
  FROM (SELECT split_part(wanted, ':', 1) AS name, position
          FROM unnest(pg_catalog.string_to_array(:'extensions', ',')) WITH ORDINALITY AS u(wanted, position)) w
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = w.name)
\gset registrar_
\if :registrar_extensions_missing
\if :registrar_create_now
\echo step creating extensions :registrar_missing
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
SELECT pg_catalog.set_config('citus_pgvector.extensions', :'extensions', true) \gset registrar_
DO $create$
DECLARE
  wanted text;
  extension text;
  target_schema text;
  created text[] := '{}';
  concurrent text[] := '{}';
BEGIN
  FOREACH wanted IN ARRAY pg_catalog.string_to_array(pg_catalog.current_setting('citus_pgvector.extensions'), ',')
  LOOP
    extension := split_part(wanted, ':', 1);
    target_schema := split_part(wanted, ':', 2);
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = extension);
    BEGIN
      EXECUTE format('CREATE EXTENSION IF NOT EXISTS %I SCHEMA %I', extension, target_schema);
      created := created || extension;
    EXCEPTION WHEN unique_violation OR duplicate_object THEN
      -- Another session (the operator) created it in the meantime; a new snapshot sees it committed.
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = extension) THEN
        RAISE;
      END IF;
      concurrent := concurrent || extension;
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('citus_pgvector.created', array_to_string(created, ' '), true);
  PERFORM pg_catalog.set_config('citus_pgvector.concurrent', array_to_string(concurrent, ' '), true);
END
$create$;
SELECT pg_catalog.current_setting('citus_pgvector.created') AS created,
       pg_catalog.current_setting('citus_pgvector.created') <> '' AS did_create,
       pg_catalog.current_setting('citus_pgvector.concurrent') AS concurrent,
       pg_catalog.current_setting('citus_pgvector.concurrent') <> '' AS saw_concurrent \gset registrar_
COMMIT;
\if :registrar_did_create
\echo did create extension(s) :registrar_created
\endif
\if :registrar_saw_concurrent
\echo info extension(s) :registrar_concurrent were created by another session at the same time
\endif
\else
\echo extensions_missing :registrar_missing
\quit
\endif
\endif
\if :credentials
\echo step storing the passwords in pg_dist_authinfo
BEGIN;
SET LOCAL log_statement = 'none';
SET LOCAL log_min_error_statement = 'panic';
SET LOCAL log_min_duration_statement = -1;
-- Each node's registrars keep its own roles: Citus would propagate a CREATE ROLE from the coordinator to the other
-- nodes with the password in clear text, and only while every node is up; a worker added later gets the roles from
-- its own registrar before it is registered.
SET LOCAL citus.enable_ddl_propagation = off;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
\getenv registrar_credentials REGISTRAR_CREDENTIALS
-- REGISTRAR_CREDENTIALS: role:base64-password pairs, comma-separated. The application roles among them are created
-- with LOGIN when missing, and get their password set when pg_dist_authinfo does not hold it yet (new, or its Secret
-- changed); then every password goes to pg_dist_authinfo (node 0), which accepts only roles that exist. A table
-- that lives as long as the transaction holds them between the two steps.
CREATE TEMPORARY TABLE registrar_credentials ON COMMIT DROP AS
SELECT w.rolename, w.password, w.application,
       'password=''' || replace(replace(w.password, E'\\', E'\\\\'), '''', E'\\''') || '''' AS authinfo,
       EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = w.rolename) AS role_exists,
       (SELECT a.authinfo FROM pg_catalog.pg_dist_authinfo a WHERE a.nodeid = 0 AND a.rolename = w.rolename) AS stored
  FROM (SELECT split_part(entry, ':', 1)::name AS rolename,
               pg_catalog.convert_from(pg_catalog.decode(split_part(entry, ':', 2), 'base64'), 'UTF8') AS password,
               split_part(entry, ':', 1) = ANY (pg_catalog.string_to_array(:'application_roles', ',')) AS application
          FROM unnest(pg_catalog.string_to_array(:'registrar_credentials', ',')) AS entry) w;
\unset registrar_credentials
-- Each cell printed is run (\gexec): a role statement, and a line for the log saying what was done.
SELECT CASE WHEN NOT role_exists THEN format('CREATE ROLE %I LOGIN PASSWORD %L', rolename, password)
            ELSE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', rolename, password)
       END,
       format('SELECT %L', CASE WHEN NOT role_exists THEN 'did create application role ' || rolename
                                ELSE 'did set the password of application role ' || rolename END)
  FROM registrar_credentials
 WHERE application AND (NOT role_exists OR stored IS DISTINCT FROM authinfo)
 ORDER BY rolename \gexec
WITH updated AS (
  UPDATE pg_catalog.pg_dist_authinfo a SET authinfo = c.authinfo FROM registrar_credentials c
   WHERE a.nodeid = 0 AND a.rolename = c.rolename AND a.authinfo IS DISTINCT FROM c.authinfo
  RETURNING 1
), inserted AS (
  INSERT INTO pg_catalog.pg_dist_authinfo (nodeid, rolename, authinfo)
  SELECT 0, rolename, authinfo FROM registrar_credentials WHERE stored IS NULL
  RETURNING 1
)
SELECT format('SELECT %L', 'did store the password of ' || rolename || ' in pg_dist_authinfo')
  FROM registrar_credentials
 WHERE NOT application AND stored IS DISTINCT FROM authinfo
   AND (SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted) > 0
 ORDER BY rolename \gexec
COMMIT;
\endif
