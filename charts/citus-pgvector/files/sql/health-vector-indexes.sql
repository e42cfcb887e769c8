-- Health check shared by `helm test` and `verify`: every shard placement of a distributed table with a vector column
-- has all the HNSW and IVFFlat indexes the table has; a table without one is a warning (its kNN queries scan every
-- row). One row per finding: status (ok, warn or fail) and message.
WITH tables AS (
  SELECT DISTINCT p.logicalrelid AS relid, p.logicalrelid::regclass::text AS name
    FROM pg_catalog.pg_dist_partition p
    JOIN pg_catalog.pg_attribute a ON a.attrelid = p.logicalrelid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
   WHERE t.typname IN ('vector', 'halfvec', 'sparsevec')
), indexed AS (
  SELECT t.relid, t.name,
         (SELECT count(*) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
            JOIN pg_catalog.pg_am a ON a.oid = c.relam
           WHERE i.indrelid = t.relid AND a.amname IN ('hnsw', 'ivfflat') AND i.indisvalid) AS indexes
    FROM tables t
), placements AS (
  SELECT x.name, x.indexes, r.nodename || ':' || r.nodeport AS node, r.shardid, r.success, r.result
    FROM indexed x,
         LATERAL pg_catalog.run_command_on_placements(x.relid, $$SELECT count(*) FROM pg_catalog.pg_index i
           JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_am a ON a.oid = c.relam
           WHERE i.indrelid = '%s'::regclass AND a.amname IN ('hnsw', 'ivfflat') AND i.indisvalid$$) r
   WHERE x.indexes > 0
), findings AS (
  SELECT 1 AS stage, name, shardid, node, 'fail' AS status,
         name || ' shard ' || shardid || ' on ' || node || CASE WHEN NOT success
           THEN ': cannot check: ' || split_part(result, E'\n', 1)
           ELSE ' has ' || result || ' of the table''s ' || indexes || ' valid vector '
                || CASE indexes WHEN 1 THEN 'index' ELSE 'indexes' END END AS message
    FROM placements WHERE NOT success OR result <> indexes::text
  UNION ALL
  SELECT 2, name, 0, '', 'warn', name || ' has no HNSW or IVFFlat index: its kNN queries scan every row'
    FROM indexed WHERE indexes = 0
)
SELECT status, message FROM (
  SELECT stage, name, shardid, node, status, message FROM findings
  UNION ALL
  SELECT 3, '', 0, '', 'ok', CASE WHEN count(*) = 0 THEN 'no distributed tables with vector columns'
           ELSE count(*) || ' ' || CASE count(*) WHEN 1 THEN 'table' ELSE 'tables' END || ' with vector columns, '
                || (SELECT count(*) FROM placements) || ' shard '
                || CASE (SELECT count(*) FROM placements) WHEN 1 THEN 'placement' ELSE 'placements' END
                || ' checked' END
    FROM tables
) f ORDER BY stage, name, shardid, node;
