-- Health check shared by `helm test` and `verify`: citus and vector are installed in this database on the coordinator
-- and every active worker has the same versions. One row per finding: status (ok, warn or fail) and message.
WITH coordinator AS (
  SELECT coalesce(string_agg(extname || ' ' || extversion, ', ' ORDER BY extname), '') AS versions,
         count(*) FILTER (WHERE extname = 'citus') AS citus,
         count(*) FILTER (WHERE extname = 'vector') AS vector
    FROM pg_catalog.pg_extension WHERE extname IN ('citus', 'vector')
), workers AS (
  SELECT w.nodename || ':' || w.nodeport AS node, w.nodename, w.nodeport, w.success, w.result
    FROM pg_catalog.run_command_on_workers($$SELECT coalesce(string_agg(extname || ' ' || extversion, ', '
           ORDER BY extname), '') FROM pg_catalog.pg_extension WHERE extname IN ('citus', 'vector')$$) w
), findings AS (
  SELECT 1 AS stage, '' AS nodename, 0 AS nodeport, 'fail' AS status,
         'coordinator: the citus extension is not installed in database ' || current_database() AS message
    FROM coordinator WHERE citus = 0
  UNION ALL
  SELECT 1, '', 0, 'fail', 'coordinator: the vector extension is not installed'
    FROM coordinator WHERE vector = 0
  UNION ALL
  SELECT 2, nodename, nodeport, 'fail', CASE WHEN NOT success
           THEN node || ': cannot check: ' || split_part(result, E'\n', 1)
           ELSE node || ' has "' || result || '", the coordinator "' || c.versions || '"' END
    FROM workers, coordinator c WHERE NOT success OR result <> c.versions
)
SELECT status, message FROM (
  SELECT stage, nodename, nodeport, status, message FROM findings
  UNION ALL
  SELECT 3, '', 0, 'ok', c.versions || ' on the coordinator'
         || CASE (SELECT count(*) FROM workers) WHEN 0 THEN ''
              WHEN 1 THEN ' and 1 worker' ELSE ' and ' || (SELECT count(*) FROM workers) || ' workers' END
    FROM coordinator c
) f ORDER BY stage, nodename, nodeport;
