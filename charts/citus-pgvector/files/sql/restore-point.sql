-- Restore point job, on the coordinator: one Citus restore point and, per node, what a restore needs to reach it.
-- citus_create_restore_point writes a named restore point on every node while it holds locks that keep every
-- distributed (two-phase) transaction from committing. Those locks last until this transaction ends, so each node's
-- clock and WAL position read below fall inside the window in which no distributed transaction commits anywhere.
-- Recovery to a time stops before the first commit or abort record stamped at or after the target (exclusive
-- target), so a node recovered to its own reading has exactly the distributed transactions that committed before
-- the point: every one before the window, none after it (docs/backup-restore.md, "Why a time reaches the point").
-- Variables: point_name (sortable, unique), retain (restore points kept in the table).
SET client_min_messages TO warning;
CREATE SCHEMA IF NOT EXISTS citus_pgvector;
CREATE TABLE IF NOT EXISTS citus_pgvector.restore_points (
  name text NOT NULL,
  node_group integer NOT NULL,
  node_name text NOT NULL,
  node_port integer NOT NULL,
  lsn pg_lsn NOT NULL,
  target_time timestamptz NOT NULL,
  workers integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, node_group)
);
COMMENT ON TABLE citus_pgvector.restore_points IS
  'Citus restore points of the restore point job: per node (node_group 0 is the coordinator) its WAL insert position'
  ' and its clock read while distributed commits were blocked; target_time is the recovery target of that node';

BEGIN;
SELECT pg_catalog.citus_create_restore_point(:'point_name') AS coordinator_lsn \gset point_
-- Still inside the window: the coordinator's own reading, then every active worker's.
CREATE TEMPORARY TABLE point_nodes ON COMMIT DROP AS
SELECT 0 AS node_group,
       coalesce((SELECT nodename FROM pg_catalog.pg_dist_node WHERE groupid = 0 LIMIT 1), 'coordinator') AS node_name,
       coalesce((SELECT nodeport FROM pg_catalog.pg_dist_node WHERE groupid = 0 LIMIT 1), 5432) AS node_port,
       pg_catalog.pg_current_wal_insert_lsn() AS lsn, pg_catalog.clock_timestamp() AS target_time;
INSERT INTO point_nodes
SELECT n.groupid, r.nodename, r.nodeport,
       split_part(r.result, ' ', 1)::pg_lsn,
       split_part(r.result, ' ', 2)::timestamptz
  FROM pg_catalog.run_command_on_workers(
         $$SELECT pg_catalog.pg_current_wal_insert_lsn()::text || ' '
                  || to_char(pg_catalog.clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')$$) r
  JOIN pg_catalog.pg_dist_node n ON n.nodename = r.nodename AND n.nodeport = r.nodeport
                                AND n.noderole = 'primary' AND n.groupid <> 0
 WHERE r.success;
DO $$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(n.nodename || ':' || n.nodeport, ', ') INTO missing
    FROM pg_catalog.pg_dist_node n
   WHERE n.isactive AND n.noderole = 'primary' AND n.groupid <> 0
     AND NOT EXISTS (SELECT 1 FROM point_nodes p WHERE p.node_group = n.groupid);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'no reading from worker(s) %: the restore point is not recorded', missing;
  END IF;
END
$$;
INSERT INTO citus_pgvector.restore_points (name, node_group, node_name, node_port, lsn, target_time, workers)
SELECT :'point_name', node_group, node_name, node_port, lsn, target_time,
       (SELECT count(*) FROM point_nodes WHERE node_group <> 0)
  FROM point_nodes;
COMMIT;

-- A commit after the point on every node, and its WAL segment handed to the archive now: recovery to a time ends
-- at the first commit at or after the target, which must be in the archive.
SELECT count(*) FILTER (WHERE NOT success) AS failed_commits
  FROM pg_catalog.run_command_on_workers($$SELECT pg_catalog.txid_current()$$) \gset point_
SELECT count(*) FILTER (WHERE NOT success) AS failed_switches
  FROM pg_catalog.run_command_on_workers($$SELECT pg_catalog.pg_switch_wal()$$) \gset point_
SELECT pg_catalog.pg_switch_wal() \gset point_

DELETE FROM citus_pgvector.restore_points
 WHERE name NOT IN (SELECT DISTINCT name FROM citus_pgvector.restore_points ORDER BY name DESC LIMIT :retain);

SELECT name, node_group, node_name, node_port, lsn,
       to_char(target_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), :point_failed_commits + :point_failed_switches
  FROM citus_pgvector.restore_points
 WHERE name = :'point_name'
 ORDER BY node_group;
