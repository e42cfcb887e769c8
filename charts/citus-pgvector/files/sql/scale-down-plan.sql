-- Scale-down, step 1 (changes nothing): the workers the new workers.count drops, one per line as
-- name<TAB>port<TAB>shard placements. A leaving worker is a primary node named like this release's workers
-- (:worker_name_regex) that is not one of :desired_workers (comma-separated host:port), so several can leave at once.
-- Fails when the change would leave no active worker, or when any worker is inactive or unreachable: a drain
-- needs every worker, and failing here leaves the cluster exactly as it was.
SELECT set_config('citus_pgvector.desired_workers', :'desired_workers', false),
       set_config('citus_pgvector.worker_name_regex', :'worker_name_regex', false) \g /dev/null

CREATE TEMP TABLE scaling_nodes AS
SELECT n.nodeid, n.groupid, n.nodename, n.nodeport, n.isactive,
       n.nodename ~ current_setting('citus_pgvector.worker_name_regex')
         AND n.nodename || ':' || n.nodeport
             <> ALL (string_to_array(current_setting('citus_pgvector.desired_workers'), ',')) AS leaving
  FROM pg_catalog.pg_dist_node n
 WHERE n.groupid <> 0 AND n.noderole = 'primary';

DO $$
DECLARE
  leaving_list text;
  staying integer;
  problems text;
BEGIN
  SELECT string_agg(nodename || ':' || nodeport, ', ' ORDER BY nodeid) INTO leaving_list
    FROM scaling_nodes WHERE leaving;
  IF leaving_list IS NULL THEN
    RETURN;
  END IF;
  SELECT count(*) INTO staying FROM scaling_nodes WHERE NOT leaving AND isactive;
  IF staying = 0 THEN
    RAISE EXCEPTION 'refusing to remove every worker (%): Citus needs at least 1 active worker to hold the shards,'
      ' so workers.count must be at least 1 and a remaining worker must be active; nothing was changed', leaving_list;
  END IF;
  SELECT string_agg(nodename || ':' || nodeport, ', ' ORDER BY nodeid) INTO problems
    FROM scaling_nodes WHERE NOT isactive;
  IF problems IS NOT NULL THEN
    RAISE EXCEPTION 'cannot drain %: worker(s) % are inactive in pg_dist_node, so their shards cannot move;'
      ' activate them (citus_activate_node) and retry; nothing was changed', leaving_list, problems;
  END IF;
  SELECT string_agg(w.nodename || ':' || w.nodeport || ' (' || coalesce(nullif(w.result, ''), 'no answer') || ')',
                    ', ' ORDER BY w.nodename, w.nodeport) INTO problems
    FROM run_command_on_workers('SELECT 1') w
   WHERE NOT w.success;
  IF problems IS NOT NULL THEN
    RAISE EXCEPTION 'cannot drain %: worker(s) unreachable: %; start them and retry; nothing was changed',
      leaving_list, problems;
  END IF;
END
$$;

SELECT s.nodename, s.nodeport,
       (SELECT count(*) FROM pg_catalog.pg_dist_placement p WHERE p.groupid = s.groupid)
  FROM scaling_nodes s
 WHERE s.leaving
 ORDER BY s.nodeid;
