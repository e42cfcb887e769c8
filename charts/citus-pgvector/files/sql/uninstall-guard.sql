-- helm uninstall guard: fails while the database holds tables, because deleting the release deletes every
-- cluster's postgresql resource and the operator deletes their volumes with them. Tables of extensions and of
-- PostgreSQL, Citus and Spilo themselves, and this chart's own bookkeeping (schema citus_pgvector), do not count.
DO $$
DECLARE
  tables bigint;
  examples text;
BEGIN
  SELECT count(*), string_agg(name, ', ' ORDER BY name) FILTER (WHERE position <= 10) INTO tables, examples
    FROM (SELECT format('%I.%I', n.nspname, c.relname) AS name,
                 row_number() OVER (ORDER BY n.nspname, c.relname) AS position
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p', 'm', 'f') AND NOT c.relispartition
             AND n.nspname NOT IN ('information_schema', 'citus', 'citus_internal', 'columnar', 'columnar_internal',
                                   'metric_helpers', 'user_management', 'zmon_utils',
                                   'citus_pgvector')
             AND n.nspname NOT LIKE 'pg\_%'
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                                AND d.deptype = 'e')) t;
  IF tables > 0 THEN
    RAISE EXCEPTION 'refusing helm uninstall: database % holds % table(s) (%), and uninstalling deletes every'
      ' cluster with its volumes. Back up and drop them to uninstall, or set scaling.guardUninstall=false'
      ' (helm upgrade --reuse-values) to delete the data on purpose', current_database(), tables,
      examples || CASE WHEN tables > 10 THEN ', ...' ELSE '' END;
  END IF;
  RAISE NOTICE 'database % holds no tables: uninstalling loses no data', current_database();
END
$$;
