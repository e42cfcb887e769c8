-- Scale-up, after every desired worker is active: which shards to split so that each colocation group holds at
-- least :shards_per_worker shards on every worker that may have shards. Decided from the catalog alone, so a run that
-- was stopped half way goes on where it stopped and never splits a shard twice.
--
-- A shard covering 1/d of the hash space (Citus's hash ranges: d is the table's shard count until a split) is
-- split when d is below shards_per_worker x workers, into the fewest equal hash ranges k that bring d x k to that
-- target AND to a multiple of the workers, so every piece has the same width and every worker the same number of
-- pieces. Its pieces stay below the target never again, so they are not split again. Groups split: hash-distributed
-- with one replica, whose original shard count (pg_dist_colocation) the chart's layout gave (split-record-layout.sql)
-- or, with :split_tables 'all', every one. With :shard_transfer_mode 'auto' a group with a table that has neither a
-- replica identity nor a primary key is skipped whole: Citus would refuse its logical replication.
--
-- Prints, tab-separated: one line "todo, splits to do, groups to split"; one line "skip, tables, reason" per group
-- skipped; then at most one line "split, shard id, colocation id, tables, bytes of the shard group, pieces, split points (a text[]
-- literal), node ids (an int[] literal), host:port of each piece". The next split is the one on the worker holding
-- the most shards of its group; its pieces go to the workers with the fewest shards of the group once the shard is
-- gone (ties: the fewest shards overall, new workers first), so the rebalance afterwards has nothing to move.
-- Stores the to-do count for the metrics (citus_pgvector.shard_split_status, run started at :run_started_at).
SELECT set_config('citus_pgvector.shards_per_worker', :'shards_per_worker', false),
       set_config('citus_pgvector.split_tables', :'split_tables', false),
       set_config('citus_pgvector.shard_transfer_mode', :'shard_transfer_mode', false) \g /dev/null

CREATE TEMP TABLE split_workers AS
SELECT n.nodeid, n.groupid, n.nodename || ':' || n.nodeport AS node,
       (SELECT count(*) FROM pg_catalog.pg_dist_placement p WHERE p.groupid = n.groupid) AS placements
  FROM pg_catalog.pg_dist_node n
 WHERE n.groupid <> 0 AND n.noderole = 'primary' AND n.isactive AND n.shouldhaveshards;

CREATE TEMP TABLE split_groups AS
SELECT c.colocationid,
       min(t.logicalrelid::oid) AS first_table,
       string_agg(t.logicalrelid::regclass::text, ', ' ORDER BY t.logicalrelid::regclass::text) AS tables,
       string_agg(t.logicalrelid::regclass::text, ', ' ORDER BY t.logicalrelid::regclass::text)
         FILTER (WHERE NOT (r.relreplident = 'f' OR r.relkind = 'p'
                            OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                        WHERE i.indrelid = r.oid
                                          AND ((r.relreplident = 'd' AND i.indisprimary)
                                            OR (r.relreplident = 'i' AND i.indisreplident))))) AS without_identity
  FROM pg_catalog.pg_dist_colocation c
  JOIN pg_catalog.pg_dist_partition t ON t.colocationid = c.colocationid
  JOIN pg_catalog.pg_class r ON r.oid = t.logicalrelid
 WHERE t.partmethod = 'h' AND c.replicationfactor = 1
   AND (current_setting('citus_pgvector.split_tables') = 'all'
        OR c.shardcount IN (SELECT shard_count FROM citus_pgvector.layout_shard_counts))
 GROUP BY c.colocationid;

-- Every shard of a group's first table that needs a split, with its pieces (the group's other tables follow it).
CREATE TEMP TABLE split_shards AS
WITH target AS (
  SELECT count(*)::bigint AS workers,
         count(*) * current_setting('citus_pgvector.shards_per_worker')::bigint AS shards
    FROM split_workers
), shards AS (
  SELECT g.colocationid, g.tables, g.without_identity, s.shardid, p.groupid,
         s.shardminvalue::bigint AS low, s.shardmaxvalue::bigint AS high,
         greatest(1, round(4294967296.0 / (s.shardmaxvalue::bigint - s.shardminvalue::bigint + 1)))::bigint AS d
    FROM split_groups g
    JOIN pg_catalog.pg_dist_shard s ON s.logicalrelid = g.first_table
    JOIN pg_catalog.pg_dist_placement p ON p.shardid = s.shardid
)
SELECT s.*, w.workers,
       (w.workers / gcd(s.d, w.workers))
         * ceil(ceil(w.shards::numeric / s.d) / (w.workers / gcd(s.d, w.workers)))::bigint AS pieces
  FROM shards s CROSS JOIN target w
 WHERE w.workers > 0 AND s.d < w.shards;

SELECT 'todo', count(*) FILTER (WHERE without_identity IS NULL OR current_setting('citus_pgvector.shard_transfer_mode') <> 'auto'),
       count(DISTINCT colocationid) FILTER (WHERE without_identity IS NULL OR current_setting('citus_pgvector.shard_transfer_mode') <> 'auto')
  FROM split_shards;

SELECT 'skip', tables,
       'no replica identity or primary key on ' || without_identity || ': splitting needs logical replication'
       || ' (shard transfer mode auto); add a primary key or ALTER TABLE ... REPLICA IDENTITY FULL, or split with'
       || ' scaling.shardTransferMode=block_writes (writes wait during each split)'
  FROM split_shards
 WHERE without_identity IS NOT NULL AND current_setting('citus_pgvector.shard_transfer_mode') = 'auto'
 GROUP BY colocationid, tables, without_identity
 ORDER BY colocationid;

INSERT INTO citus_pgvector.shard_split_status AS s (id, run_started_at, to_do, planned_at)
SELECT 1, to_timestamp(:run_started_at), count(*), now()
  FROM split_shards
 WHERE without_identity IS NULL OR current_setting('citus_pgvector.shard_transfer_mode') <> 'auto'
ON CONFLICT (id) DO UPDATE SET run_started_at = excluded.run_started_at, to_do = excluded.to_do,
                               planned_at = excluded.planned_at;

WITH next AS MATERIALIZED (
  SELECT s.*
    FROM split_shards s
   WHERE s.without_identity IS NULL OR current_setting('citus_pgvector.shard_transfer_mode') <> 'auto'
   ORDER BY (SELECT count(*) FROM split_shards o JOIN pg_catalog.pg_dist_placement p ON p.shardid = o.shardid
              WHERE o.colocationid = s.colocationid AND p.groupid = s.groupid) DESC,
            s.colocationid, s.low
   LIMIT 1
), group_counts AS MATERIALIZED (
  -- Shards of the group per worker once the split shard is gone.
  SELECT w.nodeid, w.node, w.placements,
         (SELECT count(*) FROM pg_catalog.pg_dist_shard s
            JOIN pg_catalog.pg_dist_placement p ON p.shardid = s.shardid
           WHERE s.logicalrelid = (SELECT g.first_table FROM split_groups g JOIN next USING (colocationid))
             AND p.groupid = w.groupid AND s.shardid <> (SELECT shardid FROM next)) AS shards
    FROM split_workers w
), sizes AS MATERIALIZED (
  -- Asks every worker once.
  SELECT shard_id, size FROM pg_catalog.citus_shard_sizes() WHERE EXISTS (SELECT 1 FROM next)
), slots AS (
  SELECT c.nodeid, c.node
    FROM group_counts c CROSS JOIN next CROSS JOIN generate_series(0, next.pieces - 1) AS m(extra)
   ORDER BY c.shards + m.extra, c.placements + m.extra, c.nodeid
   LIMIT (SELECT pieces FROM next)
)
SELECT 'split', next.shardid, next.colocationid, next.tables,
       (SELECT coalesce(sum(z.size), 0) FROM sizes z
          JOIN pg_catalog.pg_dist_shard s ON s.shardid = z.shard_id
          JOIN pg_catalog.pg_dist_partition t ON t.logicalrelid = s.logicalrelid
         WHERE t.colocationid = next.colocationid AND s.shardminvalue::bigint = next.low),
       next.pieces,
       (SELECT array_agg((next.low + (i * (next.high - next.low + 1)) / next.pieces - 1)::text ORDER BY i)
          FROM generate_series(1, next.pieces - 1) AS i),
       (SELECT array_agg(nodeid ORDER BY nodeid) FROM slots),
       (SELECT string_agg(node, ',' ORDER BY nodeid) FROM slots)
  FROM next;
