-- Registrar, on its worker, run after registrar-node.sql as one script: the shard ids in use.
-- On the worker: also the highest shard id it knows (its Citus metadata, and shard-like table
-- names left over from an earlier coordinator), so a rebuilt coordinator never reuses those ids; and its Citus group.
\echo step reading the shard ids in use
SELECT greatest(
         (SELECT coalesce(max(shardid), 0) FROM pg_catalog.pg_dist_shard),
         (SELECT coalesce(max(substring(c.relname FROM '_([0-9]{1,18})$')::bigint), 0)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relname ~ '_[0-9]{1,18}$'
             AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'citus',
                                   'citus_internal', 'columnar', 'columnar_internal'))
       ) AS shard_floor \gset registrar_
\echo shard_floor :registrar_shard_floor
\echo step reading the Citus group of the worker
-- 0 on a worker never added; a restored worker keeps the group of the worker it is a copy of.
SELECT groupid AS worker_group FROM pg_catalog.pg_dist_local_group \gset registrar_
\echo worker_group :registrar_worker_group
\echo step done
