-- Marks the drained worker :node_name::node_port retired and removes it from the coordinator's metadata, after
-- dropping what the moves
-- left behind. Refuses while any shard of a distributed table is still placed on it (reference table copies go
-- with the node).
CALL pg_catalog.citus_cleanup_orphaned_resources();

SELECT set_config('citus_pgvector.node_name', :'node_name', false),
       set_config('citus_pgvector.node_port', :'node_port', false) \g /dev/null

DO $$
DECLARE
  remaining bigint;
BEGIN
  SELECT count(*) INTO remaining
    FROM pg_catalog.pg_dist_placement p
    JOIN pg_catalog.pg_dist_node n ON n.groupid = p.groupid
    JOIN pg_catalog.pg_dist_shard s ON s.shardid = p.shardid
    JOIN pg_catalog.pg_dist_partition t ON t.logicalrelid = s.logicalrelid
   WHERE n.nodename = current_setting('citus_pgvector.node_name')
     AND n.nodeport = current_setting('citus_pgvector.node_port')::integer
     AND t.partmethod <> 'n';
  IF remaining > 0 THEN
    RAISE EXCEPTION 'worker %:% still holds % shard placement(s) after the drain; it was not removed',
      current_setting('citus_pgvector.node_name'), current_setting('citus_pgvector.node_port'), remaining;
  END IF;
END
$$;

-- Until Helm deletes the worker, its registrar keeps running: the mark tells it not to register the worker again
-- (unretire-workers.sql forgets it when a later workers.count wants the worker back).
CREATE SCHEMA IF NOT EXISTS citus_pgvector;
CREATE TABLE IF NOT EXISTS citus_pgvector.retired_workers (
  nodename text NOT NULL,
  nodeport integer NOT NULL,
  retired_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (nodename, nodeport)
);
INSERT INTO citus_pgvector.retired_workers (nodename, nodeport) VALUES (:'node_name', :node_port)
  ON CONFLICT (nodename, nodeport) DO UPDATE SET retired_at = now();

-- The worker's Citus secondaries (replica reads) go with it, in the same transaction.
BEGIN;
SELECT pg_catalog.citus_remove_node(s.nodename, s.nodeport)
  FROM pg_catalog.pg_dist_node p
  JOIN pg_catalog.pg_dist_node s ON s.groupid = p.groupid AND s.noderole = 'secondary'
 WHERE p.nodename = :'node_name' AND p.nodeport = :node_port AND p.noderole = 'primary' \g /dev/null
SELECT pg_catalog.citus_remove_node(:'node_name', :node_port) \g /dev/null
COMMIT;
