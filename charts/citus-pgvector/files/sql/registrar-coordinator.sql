-- Registrar, on the coordinator, run after registrar-node.sql as one script: the worker's node moved to its name (a
-- restored release), the coordinator host and the worker in pg_dist_node.
\echo step checking the group of the worker in pg_dist_node
-- A restored release: the coordinator's metadata names the source's worker of this group, and the worker (a copy of
-- it) now answers under this release's name. Moving the node keeps its group, and with it its shards. This comes
-- first: citus_update_node changes only the coordinator (Citus syncs the workers later), while setting the
-- coordinator host below is sent at once to every worker with metadata, so it succeeds only once every restored
-- worker's registrar has moved its node (a pass before that fails and the next one retries).
SELECT count(*) > 0 AS node_renamed FROM pg_catalog.pg_dist_node
 WHERE :worker_group > 0 AND groupid = :worker_group AND noderole = 'primary'
   AND (nodename, nodeport) <> (:'worker_host', :worker_port)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_node
                    WHERE nodename = :'worker_host' AND nodeport = :worker_port) \gset registrar_
\if :registrar_node_renamed
\echo step moving the node of the worker to its name
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
SELECT nodeid AS moved_node, nodename || ':' || nodeport AS moved_from FROM pg_catalog.pg_dist_node
 WHERE groupid = :worker_group AND noderole = 'primary'
   AND (nodename, nodeport) <> (:'worker_host', :worker_port)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_node
                    WHERE nodename = :'worker_host' AND nodeport = :worker_port) \gset registrar_
\if :{?registrar_moved_node}
SELECT pg_catalog.citus_update_node(:registrar_moved_node, :'worker_host', :worker_port) \gset registrar_
\echo did move node :registrar_moved_node of group :worker_group from :registrar_moved_from to :worker_host port :worker_port (a restored or renamed worker)
\endif
COMMIT;
\endif
\echo step checking the coordinator in pg_dist_node
SELECT count(*) = 0 AS coordinator_missing FROM pg_catalog.pg_dist_node
 WHERE groupid = 0 AND nodename = :'coordinator_host' AND nodeport = :coordinator_port \gset registrar_
\if :registrar_coordinator_missing
\echo step setting the coordinator host
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
SELECT pg_catalog.citus_set_coordinator_host(:'coordinator_host', :coordinator_port) \gset registrar_
COMMIT;
\echo did set the coordinator host to :coordinator_host port :coordinator_port
\endif
\echo step checking the worker in pg_dist_node
SELECT count(*) = 0 AS node_missing, coalesce(bool_or(NOT isactive), false) AS node_inactive
  FROM pg_catalog.pg_dist_node
 WHERE nodename = :'worker_host' AND nodeport = :worker_port \gset registrar_
\if :registrar_node_missing
\echo step adding the worker
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
SELECT count(*) = 0 AS node_still_missing FROM pg_catalog.pg_dist_node
 WHERE nodename = :'worker_host' AND nodeport = :worker_port \gset registrar_
\if :registrar_node_still_missing
SELECT to_regclass('citus_pgvector.retired_workers') IS NOT NULL AS retired_table \gset registrar_
\if :registrar_retired_table
SELECT count(*) > 0 AS retired FROM citus_pgvector.retired_workers
 WHERE nodename = :'worker_host' AND nodeport = :worker_port \gset registrar_
\else
\set registrar_retired false
\endif
\if :registrar_retired
\echo retired
\else
SELECT count(*) > 0 AS shard_ids_moved
  FROM (SELECT pg_catalog.setval('pg_catalog.pg_dist_shardid_seq', :shard_floor)
          FROM pg_catalog.pg_sequences
         WHERE schemaname = 'pg_catalog' AND sequencename = 'pg_dist_shardid_seq'
           AND coalesce(last_value, start_value - 1) < :shard_floor) s \gset registrar_
\if :registrar_shard_ids_moved
\echo did move the shard id sequence past :shard_floor, the highest shard id found on the worker
\endif
SELECT pg_catalog.citus_add_node(:'worker_host', :worker_port) AS node_id \gset registrar_
\echo did add the worker to pg_dist_node as node :registrar_node_id
\endif
\else
\echo info another registrar added the worker first
\endif
COMMIT;
\elif :registrar_node_inactive
\echo step activating the worker
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
SELECT coalesce(bool_or(NOT isactive), false) AS node_still_inactive FROM pg_catalog.pg_dist_node
 WHERE nodename = :'worker_host' AND nodeport = :worker_port \gset registrar_
\if :registrar_node_still_inactive
SELECT pg_catalog.citus_activate_node(:'worker_host', :worker_port) \gset registrar_
\echo did activate the inactive worker
\endif
COMMIT;
\endif
\echo step done
