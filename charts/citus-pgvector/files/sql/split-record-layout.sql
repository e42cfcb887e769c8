-- The split on scale-up's bookkeeping on the coordinator, and the shard count new distributed tables get now
-- (citus.shard_count, the chart's layout). Citus keeps a colocation group's original shard count in
-- pg_dist_colocation even after its shards were split, so the recorded counts tell the tables distributed with the
-- layout's count from tables given their own (shard_count =>). The pre-upgrade hook records the count the release
-- ran with, the post-upgrade hook the one in force after it.
SET client_min_messages = warning;
-- Citus propagates CREATE SCHEMA to every worker, even with IF NOT EXISTS, which fails while one fails over: only
-- when the schema is missing.
DO $$
BEGIN
  IF to_regnamespace('citus_pgvector') IS NULL THEN
    CREATE SCHEMA citus_pgvector;
  END IF;
END
$$;
CREATE TABLE IF NOT EXISTS citus_pgvector.layout_shard_counts (
  shard_count integer PRIMARY KEY,
  first_seen timestamptz NOT NULL DEFAULT now()
);
-- One row per split done (split-shard.sql), and the to-do count of the latest plan (split-plan.sql): what the
-- metrics report.
CREATE TABLE IF NOT EXISTS citus_pgvector.shard_splits (
  shardid bigint PRIMARY KEY,
  colocationid integer NOT NULL,
  tables text NOT NULL,
  bytes bigint NOT NULL,
  pieces integer NOT NULL,
  nodes text NOT NULL,
  seconds numeric NOT NULL,
  done_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS citus_pgvector.shard_split_status (
  id integer PRIMARY KEY CHECK (id = 1),
  run_started_at timestamptz NOT NULL,
  to_do integer NOT NULL,
  planned_at timestamptz NOT NULL
);
INSERT INTO citus_pgvector.layout_shard_counts (shard_count)
VALUES (current_setting('citus.shard_count')::integer)
ON CONFLICT (shard_count) DO NOTHING;
