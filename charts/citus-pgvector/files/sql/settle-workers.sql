-- Scale-up, once every desired worker is active: makes pg_dist_node match :desired_workers (comma-separated
-- host:port). Nodes named like this release's workers (:worker_name_regex) that are not desired are removed if they
-- hold no shards (a removed worker's registrar can re-add it while its pods shut down); one that holds shards fails
-- the hook, because its resource is gone or about to go. Desired workers that may not have shards (a scale-down
-- that was interrupted) may again. Prints one line per change.
SELECT set_config('citus_pgvector.desired_workers', :'desired_workers', false),
       set_config('citus_pgvector.worker_name_regex', :'worker_name_regex', false) \g /dev/null

CREATE TEMP TABLE scaling_nodes AS
SELECT n.nodeid, n.groupid, n.nodename, n.nodeport, n.shouldhaveshards,
       n.nodename || ':' || n.nodeport
         = ANY (string_to_array(current_setting('citus_pgvector.desired_workers'), ',')) AS desired,
       (SELECT count(*)
          FROM pg_catalog.pg_dist_placement p
          JOIN pg_catalog.pg_dist_shard s ON s.shardid = p.shardid
          JOIN pg_catalog.pg_dist_partition t ON t.logicalrelid = s.logicalrelid
         WHERE p.groupid = n.groupid AND t.partmethod <> 'n') AS placements
  FROM pg_catalog.pg_dist_node n
 WHERE n.groupid <> 0 AND n.noderole = 'primary'
   AND n.nodename ~ current_setting('citus_pgvector.worker_name_regex');

DO $$
DECLARE
  stranded text;
BEGIN
  SELECT string_agg(nodename || ':' || nodeport || ' (' || placements || ' shard placements)', ', ' ORDER BY nodeid)
    INTO stranded FROM scaling_nodes WHERE NOT desired AND placements > 0;
  IF stranded IS NOT NULL THEN
    RAISE EXCEPTION 'worker(s) beyond workers.count still hold shards: %; they were not drained before their'
      ' resources went (scaling hooks off?): restore them or their data, then drain them with citus_drain_node',
      stranded;
  END IF;
END
$$;

SELECT 'removed secondary ' || s.nodename || ':' || s.nodeport || ' of stale worker ' || n.nodename || ':'
       || n.nodeport, pg_catalog.citus_remove_node(s.nodename, s.nodeport)
  FROM scaling_nodes n
  JOIN pg_catalog.pg_dist_node s ON s.groupid = n.groupid AND s.noderole = 'secondary'
 WHERE NOT n.desired ORDER BY s.nodeid;

SELECT 'removed stale worker ' || nodename || ':' || nodeport || ' (no shards)',
       pg_catalog.citus_remove_node(nodename, nodeport)
  FROM scaling_nodes WHERE NOT desired ORDER BY nodeid;

SELECT 'worker ' || nodename || ':' || nodeport || ' may have shards again',
       pg_catalog.citus_set_node_property(nodename, nodeport, 'shouldhaveshards', true)
  FROM scaling_nodes WHERE desired AND NOT shouldhaveshards ORDER BY nodeid;
