-- The workers :desired_workers (comma-separated host:port) are wanted: forget that an earlier scale-down retired
-- any of them (remove-node.sql), so their registrars register them again.
SELECT set_config('citus_pgvector.desired_workers', :'desired_workers', false) \g /dev/null

DO $$
BEGIN
  IF to_regclass('citus_pgvector.retired_workers') IS NOT NULL THEN
    DELETE FROM citus_pgvector.retired_workers
     WHERE nodename || ':' || nodeport
           = ANY (string_to_array(current_setting('citus_pgvector.desired_workers'), ','));
  END IF;
END
$$;
