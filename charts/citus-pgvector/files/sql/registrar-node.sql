-- Registrar, on the worker and on the coordinator: the citus and vector extensions, then the superuser password in
-- pg_dist_authinfo (node 0: every node), where Citus looks for it when nodes connect to each other. Changes are made
-- under the registrars' advisory lock (:lock_key) and re-checked under it. The password comes from the environment
-- (\getenv), never from the command line, and statement logging is off for that transaction.
\echo step checking the citus and vector extensions
SELECT coalesce(bool_or(extname = 'citus'), false) AS has_citus,
       coalesce(bool_or(extname = 'vector'), false) AS has_vector
  FROM pg_catalog.pg_extension WHERE extname IN ('citus', 'vector') \gset registrar_
\if :registrar_has_citus
\if :registrar_has_vector
\set registrar_extensions_missing false
\else
\set registrar_extensions_missing true
\endif
\else
\set registrar_extensions_missing true
\endif
\if :registrar_extensions_missing
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
SELECT coalesce(bool_or(extname = 'citus'), false) AS has_citus,
       coalesce(bool_or(extname = 'vector'), false) AS has_vector
  FROM pg_catalog.pg_extension WHERE extname IN ('citus', 'vector') \gset registrar_
\if :registrar_has_citus
\else
\echo step creating extension citus
CREATE EXTENSION citus;
\echo did create extension citus
\endif
\if :registrar_has_vector
\else
\echo step creating extension vector
CREATE EXTENSION vector;
\echo did create extension vector
\endif
COMMIT;
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
