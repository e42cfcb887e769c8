-- helm uninstall guard: fails while the database holds user data, because deleting the release deletes every
-- cluster's postgresql resource and the operator deletes their volumes with them.
-- User data: every Citus table (distributed, reference, schema-sharded or Citus local; empty or not, its rows live
-- on the workers) and every other table that holds a row. Never user data: the catalogs of PostgreSQL and Citus,
-- tables that belong to an extension, this chart's bookkeeping (schema citus_pgvector), and what Spilo's first boot
-- creates in database postgres (post_init.sh): public.postgres_log, kept empty by its CHECK (false) NO INHERIT, and
-- the file_fdw foreign tables public.postgres_log_N or _N_HH over the server's CSV logs. Foreign tables hold no rows
-- in the database and are never read (reading one reads a log file); ONLY keeps the scan of a parent table such as
-- postgres_log out of its children. Works without Citus too.
DO $$
DECLARE
  citus_tables oid[] := '{}';
  found text[] := '{}';
  candidate record;
  has_rows boolean;
BEGIN
  IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
    EXECUTE $citus$
      SELECT coalesce(array_agg(c.oid ORDER BY n.nspname, c.relname), '{}'),
             coalesce(array_agg(format('%I.%I (%s)', n.nspname, c.relname,
                                       CASE WHEN p.partkey IS NOT NULL THEN 'distributed'
                                            WHEN p.repmodel = 't' THEN 'reference'
                                            WHEN p.colocationid = 0 THEN 'Citus local'
                                            ELSE 'distributed' END)
                                ORDER BY n.nspname, c.relname), '{}')
        FROM pg_catalog.pg_dist_partition p
        JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    $citus$ INTO citus_tables, found;
  END IF;
  FOR candidate IN
    SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('information_schema', 'citus_pgvector') AND n.nspname NOT LIKE 'pg\_%'
       AND c.oid <> ALL (citus_tables)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     ORDER BY n.nspname, c.relname
  LOOP
    EXECUTE format('SELECT EXISTS (SELECT FROM ONLY %s)', candidate.oid::regclass) INTO has_rows;
    IF has_rows THEN
      found := found || format('%s (has rows)', candidate.name);
    END IF;
  END LOOP;
  IF cardinality(found) > 0 THEN
    RAISE EXCEPTION 'refusing helm uninstall: database % holds user data in % table(s): %. Uninstalling deletes'
      ' every cluster with its volumes. Back up, then drop the Citus tables and empty or drop the others to'
      ' uninstall, or set scaling.guardUninstall=false (helm upgrade --reuse-values) to delete the data on purpose',
      current_database(), cardinality(found),
      array_to_string(found[1:10], ', ') || CASE WHEN cardinality(found) > 10 THEN ', ...' ELSE '' END;
  END IF;
  RAISE NOTICE 'database % holds no user data: uninstalling loses nothing', current_database();
END
$$;
