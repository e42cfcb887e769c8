-- Registrar, on the worker and on the coordinator, before registrar-worker.sql or registrar-coordinator.sql in one
-- script: the extensions, then the superuser password in pg_dist_authinfo (node 0: every node), where Citus looks
-- for it. Changes happen under the registrars' advisory lock (:lock_key) and are re-checked under it; the password
-- comes from the environment (\getenv), never from the command line, with statement logging off.
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
\if :manage_authinfo
\echo step storing the superuser password in pg_dist_authinfo
BEGIN;
SET LOCAL log_statement = 'none';
SET LOCAL log_min_error_statement = 'panic';
SET LOCAL log_min_duration_statement = -1;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
\getenv registrar_password POSTGRES_PASSWORD
WITH wanted AS (
  SELECT 0 AS nodeid, :'superuser'::name AS rolename,
         'password=''' || replace(replace(:'registrar_password', E'\\', E'\\\\'), '''', E'\\''') || '''' AS authinfo
), updated AS (
  UPDATE pg_catalog.pg_dist_authinfo a SET authinfo = w.authinfo FROM wanted w
   WHERE a.nodeid = w.nodeid AND a.rolename = w.rolename AND a.authinfo IS DISTINCT FROM w.authinfo
  RETURNING 1
), inserted AS (
  INSERT INTO pg_catalog.pg_dist_authinfo (nodeid, rolename, authinfo)
  SELECT nodeid, rolename, authinfo FROM wanted w
   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_authinfo a
                      WHERE a.nodeid = w.nodeid AND a.rolename = w.rolename)
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted) > 0 AS authinfo_changed \gset registrar_
\unset registrar_password
COMMIT;
\if :registrar_authinfo_changed
\echo did store the superuser password in pg_dist_authinfo
\endif
\endif
