-- helm test, after the health checks passed: a distributed table with a vector column and an HNSW index on every
-- shard, spread over the :expected_workers workers, answers a router and a fan-out kNN query with k rows in distance
-- order. helm-test.sh drops the table :test_table afterwards (drop-test-table.sql).
SELECT set_config('citus_pgvector.expected_workers', :'expected_workers', false),
       set_config('citus_pgvector.test_table', :'test_table', false) \g /dev/null

\echo creating the distributed table :test_table
CREATE TABLE :"test_table" (
  channel bigint NOT NULL,
  id bigint NOT NULL,
  embedding vector(16) NOT NULL,
  PRIMARY KEY (channel, id)
);
-- At least one shard per worker, so every worker answers the fan-out query.
SELECT pg_catalog.create_distributed_table(:'test_table', 'channel', colocate_with => 'none',
         shard_count => greatest(:expected_workers, current_setting('citus.shard_count')::integer)) \g /dev/null

-- 20 rows in every shard: for each shard the smallest channel that hashes into it.
INSERT INTO :"test_table" (channel, id, embedding)
SELECT c.channel, c.channel * 100 + r,
       (SELECT array_agg(sin(c.channel * 7 + r * 13 + d)::real ORDER BY d) FROM generate_series(1, 16) d)::vector
  FROM (SELECT min(v) AS channel
          FROM generate_series(1, 64 * greatest(:expected_workers, current_setting('citus.shard_count')::integer)) v
         GROUP BY pg_catalog.get_shard_id_for_distribution_column(:'test_table', v)) c,
       generate_series(1, 20) r;
CREATE INDEX ON :"test_table" USING hnsw (embedding vector_l2_ops);

\echo running a router and a fan-out kNN query on the HNSW indexes
BEGIN;
-- The workers plan with these too, so the queries must use the HNSW index of every shard they reach.
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL enable_seqscan = off;
DO $$
DECLARE
  test_table text := current_setting('citus_pgvector.test_table');
  expected integer := current_setting('citus_pgvector.expected_workers')::integer;
  query_vector text := '[0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5]';
  k constant integer := 10;
  shards integer;
  empty_shards integer;
  nodes integer;
  router_channel bigint;
  kind text;
  query text;
  plan text;
  line text;
  row_count integer;
  previous double precision;
  hit record;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE result::bigint = 0) INTO shards, empty_shards
    FROM pg_catalog.run_command_on_shards(test_table, 'SELECT count(*) FROM %s');
  IF empty_shards > 0 THEN
    RAISE EXCEPTION '% of % shards of % got no rows', empty_shards, shards, test_table;
  END IF;
  -- citus_shards lists a placement once per node of its group: the secondaries (replica reads) left out.
  SELECT count(DISTINCT (s.nodename, s.nodeport)) INTO nodes FROM pg_catalog.citus_shards s
    JOIN pg_catalog.pg_dist_node n ON n.nodename = s.nodename AND n.nodeport = s.nodeport
   WHERE s.table_name = test_table::regclass AND n.noderole = 'primary';
  IF nodes <> expected THEN
    RAISE EXCEPTION 'the % shards of % are on % workers, expected %', shards, test_table, nodes, expected;
  END IF;
  EXECUTE format('SELECT min(channel) FROM %I', test_table) INTO router_channel;

  FOREACH kind IN ARRAY ARRAY['router', 'fan-out'] LOOP
    query := format('SELECT id, embedding <-> %L::vector AS distance FROM %I %s ORDER BY embedding <-> %L::vector'
                    ' LIMIT %s', query_vector, test_table,
                    CASE kind WHEN 'router' THEN format('WHERE channel = %s', router_channel) ELSE '' END,
                    query_vector, k);
    plan := '';
    FOR line IN EXECUTE 'EXPLAIN ' || query LOOP
      plan := plan || line || E'\n';
    END LOOP;
    IF plan NOT LIKE format('%%Task Count: %s%%', CASE kind WHEN 'router' THEN 1 ELSE shards END) THEN
      RAISE EXCEPTION 'the % kNN query did not reach % shard(s): %', kind,
        CASE kind WHEN 'router' THEN 1 ELSE shards END, plan;
    END IF;
    IF plan NOT LIKE '%Index Scan%' THEN
      RAISE EXCEPTION 'the % kNN query did not use the HNSW index: %', kind, plan;
    END IF;
    row_count := 0;
    previous := NULL;
    FOR hit IN EXECUTE query LOOP
      IF previous IS NOT NULL AND hit.distance < previous THEN
        RAISE EXCEPTION 'the % kNN query returned rows out of distance order (% after %)', kind, hit.distance,
          previous;
      END IF;
      previous := hit.distance;
      row_count := row_count + 1;
    END LOOP;
    IF row_count <> k THEN
      RAISE EXCEPTION 'the % kNN query returned % rows, expected %', kind, row_count, k;
    END IF;
    RAISE NOTICE '% kNN query: % rows in distance order over % shard(s)', kind, row_count,
      CASE kind WHEN 'router' THEN 1 ELSE shards END;
  END LOOP;
END
$$;
COMMIT;
\echo passed
