-- Registrar, on the worker and on the coordinator, before registrar-worker.sql or registrar-coordinator.sql in one
-- script: the extensions, then the application roles (applicationRoles) and the passwords of the superuser and of
-- those roles in pg_dist_authinfo (node 0: every node), where Citus looks for them. Changes happen under the
-- registrars' advisory lock (:lock_key) and are re-checked under it; the passwords travel only as COPY data from
-- registrar-credentials.py, and only when the node lacks one, never in a statement's text or on a command line.
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
-- No password ever goes into a statement's text: bg_mon serves the text of running and idle-in-transaction
-- statements without authentication, and pg_stat_activity shows it to pg_read_all_stats. What the node holds is read
-- as digests (:credential_roles are the roles of this pass: the superuser, then the application roles that have a
-- password file); registrar-credentials.py compares them with its own on the client, and only when one differs sends
-- the roles' values as COPY data: pg_dist_authinfo's in base64, an application role's password as a SCRAM-SHA-256
-- verifier computed on the client.
SELECT coalesce(string_agg(format('%s:%s:%s', w.rolename,
                                  coalesce(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(a.authinfo, 'UTF8')), 'hex'), 'none'),
                                  CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = w.rolename)
                                       THEN 'exists' ELSE 'missing' END), ','), '') AS stored_digests
  FROM unnest(pg_catalog.string_to_array(:'credential_roles', ',')) AS w(rolename)
  LEFT JOIN pg_catalog.pg_dist_authinfo a ON a.nodeid = 0 AND a.rolename = w.rolename
\gset registrar_
\setenv REGISTRAR_STORED_DIGESTS :registrar_stored_digests
\set registrar_changed `python3 "${REGISTRAR_CREDENTIALS_PROGRAM}" changed`
\if :registrar_changed
CREATE TEMPORARY TABLE registrar_credentials (
  rolename name, authinfo_base64 text, verifier text, application boolean, role_existed boolean
) ON COMMIT DROP;
\copy registrar_credentials (rolename, authinfo_base64, verifier, application) FROM PROGRAM 'python3 "${REGISTRAR_CREDENTIALS_PROGRAM}" rows'
UPDATE registrar_credentials c
   SET role_existed = EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = c.rolename);
-- The application roles first (pg_dist_authinfo accepts only roles that exist): created with LOGIN when missing,
-- their password set when pg_dist_authinfo does not hold it yet (new, or its Secret changed). An error is raised again
-- without the statement it came from, which holds the verifier.
DO $roles$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT * FROM registrar_credentials WHERE application ORDER BY rolename LOOP
    BEGIN
      IF c.role_existed THEN
        EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', c.rolename, c.verifier);
      ELSE
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', c.rolename, c.verifier);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = SQLERRM;
    END;
  END LOOP;
END
$roles$;
SELECT format('did %s application role %s', CASE WHEN role_existed THEN 'set the password of' ELSE 'create' END,
              rolename)
  FROM registrar_credentials
 WHERE application
 ORDER BY rolename;
-- Then every password to pg_dist_authinfo (node 0: every node).
WITH wanted AS (
  SELECT rolename, application,
         pg_catalog.convert_from(pg_catalog.decode(authinfo_base64, 'base64'), 'UTF8') AS authinfo
    FROM registrar_credentials
), updated AS (
  UPDATE pg_catalog.pg_dist_authinfo a SET authinfo = w.authinfo FROM wanted w
   WHERE a.nodeid = 0 AND a.rolename = w.rolename AND a.authinfo IS DISTINCT FROM w.authinfo
  RETURNING a.rolename
), inserted AS (
  INSERT INTO pg_catalog.pg_dist_authinfo (nodeid, rolename, authinfo)
  SELECT 0, w.rolename, w.authinfo FROM wanted w
   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_authinfo a WHERE a.nodeid = 0 AND a.rolename = w.rolename)
  RETURNING rolename
)
SELECT format('did store the password of %s in pg_dist_authinfo', s.rolename)
  FROM (SELECT rolename FROM updated UNION SELECT rolename FROM inserted) s
  JOIN wanted w USING (rolename)
 WHERE NOT w.application
 ORDER BY 1;
\endif
COMMIT;
\endif
