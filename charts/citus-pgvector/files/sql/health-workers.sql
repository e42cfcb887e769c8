-- Health check shared by `helm test` and `verify`: the workers in the coordinator's pg_dist_node are active and
-- answer, and (when citus_pgvector.expected_workers is set) exactly that many are active. One row per finding:
-- status (ok, warn or fail) and message.
WITH nodes AS (
  SELECT nodename, nodeport, nodename || ':' || nodeport AS node, isactive
    FROM pg_catalog.pg_dist_node WHERE noderole = 'primary' AND groupid <> 0
), answers AS (
  SELECT nodename, nodeport, nodename || ':' || nodeport AS node, success, result
    FROM pg_catalog.run_command_on_workers('SELECT 1')
), active AS (
  SELECT count(*) AS workers, string_agg(node, ', ' ORDER BY nodename, nodeport) AS list,
         nullif(current_setting('citus_pgvector.expected_workers', true), '')::integer AS expected
    FROM nodes WHERE isactive
), findings AS (
  SELECT 1 AS stage, nodename, nodeport, 'fail' AS status,
         node || ' is registered but inactive (citus_activate_node, or citus_remove_node if it is gone)' AS message
    FROM nodes WHERE NOT isactive
  UNION ALL
  SELECT 2, nodename, nodeport, 'fail', node || ' does not answer: ' || split_part(result, E'\n', 1)
    FROM answers WHERE NOT success
  UNION ALL
  SELECT 3, '', 0, 'fail', 'no active worker: register workers with citus_add_node' FROM active WHERE workers = 0
  UNION ALL
  SELECT 4, '', 0, 'fail', workers || ' active ' || CASE workers WHEN 1 THEN 'worker' ELSE 'workers' END
         || ', expected ' || expected
    FROM active WHERE expected IS NOT NULL AND expected <> workers
)
SELECT status, message FROM (
  SELECT stage, nodename, nodeport, status, message FROM findings
  UNION ALL
  SELECT 5, '', 0, 'ok', workers || ' active ' || CASE workers WHEN 1 THEN 'worker' ELSE 'workers' END
         || coalesce(': ' || list, '')
    FROM active
) f ORDER BY stage, nodename, nodeport;
