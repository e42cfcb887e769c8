-- helm test, when the workers have standbys: a fan-out kNN query on :test_table through the read endpoint (this
-- session runs with citus.use_secondary_nodes = 'always') returns k rows, each answered by a standby (pg_is_in_recovery
-- on the node that scanned the shard). The standbys may not have replayed the new table yet: retried for up to 60 s.
SELECT set_config('citus_pgvector.test_table', :'test_table', false) \g /dev/null
\echo running a fan-out kNN query on the standbys of the workers
DO $$
DECLARE
  test_table text := current_setting('citus_pgvector.test_table');
  query_vector text := '[0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5,0.5,-0.5]';
  k constant integer := 10;
  row_count integer;
  on_standby integer;
  last_error text;
BEGIN
  IF current_setting('citus.use_secondary_nodes') <> 'always' THEN
    RAISE EXCEPTION 'this session does not read from the secondaries (citus.use_secondary_nodes = %)',
      current_setting('citus.use_secondary_nodes');
  END IF;
  FOR attempt IN 1..60 LOOP
    BEGIN
      EXECUTE format('SELECT count(*), count(*) FILTER (WHERE standby) FROM (SELECT id, pg_is_in_recovery() AS standby'
                     ' FROM %I ORDER BY embedding <-> %L::vector LIMIT %s) hits', test_table, query_vector, k)
         INTO row_count, on_standby;
      IF row_count = k AND on_standby = k THEN
        RAISE NOTICE 'fan-out kNN query on the standbys: % rows, each from a standby', row_count;
        RETURN;
      END IF;
      last_error := format('%s rows, %s of them from a standby', row_count, on_standby);
    EXCEPTION WHEN OTHERS THEN
      last_error := SQLERRM;
    END;
    PERFORM pg_sleep(1);
  END LOOP;
  RAISE EXCEPTION 'the kNN query through the read endpoint did not return % rows from the standbys: %', k, last_error;
END
$$;
\echo replica reads passed
