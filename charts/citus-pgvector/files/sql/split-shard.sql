-- Splits shard :shard_id (and the shards colocated with it) at :split_points (a text[] literal) into pieces on
-- :node_ids (an int[] literal, one per piece) with :shard_transfer_mode, then records the split for the metrics
-- (:colocation_id, :tables, :bytes, :pieces, :nodes as split-plan.sql printed them), and drops the old copies.
-- Prints the seconds it took.
-- New workers get the reference tables first: Citus creates no shard on a node without them.
-- A client that goes away (the Job's pod killed) cancels the split within a second instead of leaving it running
-- unwatched; Citus then drops the unfinished pieces and the shard stays whole, for the next run to split.
SET client_connection_check_interval = '1s';
SELECT pg_catalog.replicate_reference_tables(:'shard_transfer_mode'::citus.shard_transfer_mode) \g /dev/null
SELECT clock_timestamp() AS split_started \gset
SELECT pg_catalog.citus_split_shard_by_split_points(:shard_id, :'split_points'::text[], :'node_ids'::integer[],
                                                    :'shard_transfer_mode'::citus.shard_transfer_mode) \g /dev/null
-- The split is done: what follows is bookkeeping, and its failure (a worker unreachable for the clean-up) must not
-- read as a failed split.
\set ON_ERROR_STOP 0
INSERT INTO citus_pgvector.shard_splits (shardid, colocationid, tables, bytes, pieces, nodes, seconds)
SELECT :shard_id, :colocation_id, :'tables', :bytes, :pieces, :'nodes',
       round(extract(epoch FROM clock_timestamp() - :'split_started'::timestamptz)::numeric, 1)
ON CONFLICT (shardid) DO NOTHING;
UPDATE citus_pgvector.shard_split_status SET to_do = greatest(to_do - 1, 0);
-- The split shard's old copies wait for Citus's deferred drop: drop them now, so the disk holds one extra copy of
-- one shard group at a time.
SET client_min_messages = warning;
CALL pg_catalog.citus_cleanup_orphaned_resources();
SELECT round(extract(epoch FROM clock_timestamp() - :'split_started'::timestamptz)::numeric, 1);
