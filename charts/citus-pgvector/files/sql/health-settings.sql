-- Health check shared by `helm test` and `verify`: settings that must be the same on every node (a distributed query
-- runs on the workers with the workers' values) have the coordinator's value on every active worker, and the value
-- expected where one is given. Inputs: citus_pgvector.settings, the names, comma-separated;
-- citus_pgvector.expected_settings, a JSON object of name to value (optional). Reading through a vector value loads
-- pgvector first, so an unset hnsw.* setting reads as pgvector's default on every node rather than as unknown where
-- the library is not loaded yet. One row per finding: status (ok, warn or fail) and message.
WITH settings AS (
  SELECT s.name, s.position, coalesce(current_setting(s.name, true), '') AS value,
         coalesce(nullif(current_setting('citus_pgvector.expected_settings', true), ''), '{}')::json ->> s.name
           AS expected
    FROM unnest(string_to_array(current_setting('citus_pgvector.settings', true), ',')) WITH ORDINALITY
           AS s(name, position),
         (SELECT '[1]'::vector AS v) loaded
), on_workers AS (
  SELECT s.name, s.position, s.value, s.expected, w.nodename, w.nodeport, w.nodename || ':' || w.nodeport AS node,
         w.success, coalesce(w.result, '') AS result
    FROM settings s,
         LATERAL pg_catalog.run_command_on_workers(format(
           'SELECT current_setting(%L, true) FROM (SELECT %L::vector AS v) loaded', s.name, '[1]')) w
), findings AS (
  SELECT position, 1 AS stage, '' AS nodename, 0 AS nodeport, 'fail' AS status,
         'coordinator: ' || name || ' = ' || value || ', expected ' || expected AS message
    FROM settings WHERE expected IS NOT NULL AND value <> expected
  UNION ALL
  SELECT position, 2, nodename, nodeport, 'fail', CASE
           WHEN NOT success THEN node || ': cannot read ' || name || ': ' || split_part(result, E'\n', 1)
           WHEN result <> value THEN node || ': ' || name || ' = ' || result || ', the coordinator has ' || value
                || ' (set it per database or in every node''s postgresql.conf)'
           ELSE node || ': ' || name || ' = ' || result || ', expected ' || expected END
    FROM on_workers WHERE NOT success OR result <> value OR (expected IS NOT NULL AND result <> expected)
)
SELECT status, message FROM (
  SELECT position, stage, nodename, nodeport, status, message FROM findings
  UNION ALL
  SELECT 1000000, 3, '', 0, 'ok', string_agg(name || ' = ' || value, ', ' ORDER BY position)
         || CASE WHEN EXISTS (SELECT 1 FROM findings) THEN ' on the coordinator' ELSE ' on every node' END
    FROM settings
) f ORDER BY position, stage, nodename, nodeport;
