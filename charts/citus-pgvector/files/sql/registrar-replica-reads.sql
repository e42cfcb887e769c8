-- Registrar, on the coordinator, after the worker is registered: replica reads.
-- 1. The worker's one Citus secondary (Citus reads from the first secondary of a group it finds, so one per group):
--    :secondary_host::secondary_port, which the registrar chose this pass: the worker's replica Service while a
--    streaming standby of this worker answers there, else the worker's primary under a second name (the same node
--    cannot be in pg_dist_node twice under one name), so reads with citus.use_secondary_nodes = 'always' keep working
--    on a worker without a standby. The secondary is moved with citus_update_node, which takes no shard locks for a
--    secondary, and added with citus_add_secondary_node in the worker's group when missing; other secondaries of the
--    group are removed, and so are secondaries of groups that have no primary any more.
-- 2. The application roles listed in :replica_read_roles may set citus.use_secondary_nodes when they connect (the
--    setting is fixed at connection start, so ALTER ROLE ... SET cannot give it) and start read-only transactions;
--    the roles of :application_roles not in that list lose both again.
-- Changes happen under the registrars' advisory lock (:lock_key) and are re-checked under it.
\echo step checking the secondary of the worker
SELECT pg_catalog.set_config('citus_pgvector.worker_host', :'worker_host', false),
       pg_catalog.set_config('citus_pgvector.worker_port', :'worker_port', false),
       pg_catalog.set_config('citus_pgvector.secondary_host', :'secondary_host', false),
       pg_catalog.set_config('citus_pgvector.secondary_port', :'secondary_port', false),
       pg_catalog.set_config('citus_pgvector.replica_read_roles', :'replica_read_roles', false),
       pg_catalog.set_config('citus_pgvector.application_roles', :'application_roles', false) \g /dev/null
SELECT NOT (coalesce(bool_and(s.nodename = :'secondary_host' AND s.nodeport = :secondary_port), false)
            AND count(*) = 1) AS secondary_to_change
  FROM pg_catalog.pg_dist_node p
  JOIN pg_catalog.pg_dist_node s ON s.groupid = p.groupid AND s.noderole = 'secondary'
 WHERE p.nodename = :'worker_host' AND p.nodeport = :worker_port AND p.noderole = 'primary' \gset registrar_
SELECT :'registrar_secondary_to_change'::boolean OR EXISTS (
         SELECT 1 FROM pg_catalog.pg_dist_node s
          WHERE s.noderole = 'secondary'
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_node p
                             WHERE p.groupid = s.groupid AND p.noderole = 'primary')) AS secondary_to_change \gset registrar_
\if :registrar_secondary_to_change
\echo step placing the secondary of the worker
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
DO $place$
DECLARE
  worker_group integer;
  keep integer;
  target_host text := current_setting('citus_pgvector.secondary_host');
  target_port integer := current_setting('citus_pgvector.secondary_port')::integer;
  done text[] := '{}';
  extra record;
BEGIN
  PERFORM set_config('citus_pgvector.secondary_action', '', true);
  -- Secondaries left in a group without a primary (its worker removed while a registrar added them) serve nothing.
  FOR extra IN SELECT s.nodename, s.nodeport, s.groupid FROM pg_catalog.pg_dist_node s
                WHERE s.noderole = 'secondary'
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_node p
                                   WHERE p.groupid = s.groupid AND p.noderole = 'primary') LOOP
    PERFORM pg_catalog.citus_remove_node(extra.nodename, extra.nodeport);
    done := done || format('remove secondary %s:%s of group %s, which has no primary', extra.nodename,
                           extra.nodeport, extra.groupid);
  END LOOP;
  SELECT groupid INTO worker_group FROM pg_catalog.pg_dist_node
   WHERE nodename = current_setting('citus_pgvector.worker_host')
     AND nodeport = current_setting('citus_pgvector.worker_port')::integer AND noderole = 'primary';
  IF worker_group IS NULL THEN
    RETURN;
  END IF;
  -- The target name registered in another group (a worker since removed, a hand-made entry) is not this worker's.
  FOR extra IN SELECT nodename, nodeport, groupid FROM pg_catalog.pg_dist_node
                WHERE nodename = target_host AND nodeport = target_port AND groupid <> worker_group
                  AND noderole = 'secondary' LOOP
    PERFORM pg_catalog.citus_remove_node(extra.nodename, extra.nodeport);
    done := done || format('remove secondary %s:%s of group %s', extra.nodename, extra.nodeport, extra.groupid);
  END LOOP;
  SELECT nodeid INTO keep FROM pg_catalog.pg_dist_node
   WHERE groupid = worker_group AND noderole = 'secondary'
   ORDER BY (nodename = target_host AND nodeport = target_port) DESC, nodeid LIMIT 1;
  FOR extra IN SELECT nodename, nodeport FROM pg_catalog.pg_dist_node
                WHERE groupid = worker_group AND noderole = 'secondary' AND nodeid <> keep LOOP
    PERFORM pg_catalog.citus_remove_node(extra.nodename, extra.nodeport);
    done := done || format('remove extra secondary %s:%s', extra.nodename, extra.nodeport);
  END LOOP;
  IF keep IS NULL THEN
    PERFORM pg_catalog.citus_add_secondary_node(target_host, target_port,
                                                current_setting('citus_pgvector.worker_host'),
                                                current_setting('citus_pgvector.worker_port')::integer);
    done := done || format('add secondary %s:%s', target_host, target_port);
  ELSIF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_node
                     WHERE nodeid = keep AND nodename = target_host AND nodeport = target_port) THEN
    PERFORM pg_catalog.citus_update_node(keep, target_host, target_port);
    done := done || format('move secondary %s to %s:%s', keep, target_host, target_port);
  END IF;
  PERFORM set_config('citus_pgvector.secondary_action', array_to_string(done, '; '), true);
END
$place$;
SELECT pg_catalog.current_setting('citus_pgvector.secondary_action') AS secondary_action,
       pg_catalog.current_setting('citus_pgvector.secondary_action') <> '' AS secondary_changed \gset registrar_
COMMIT;
\if :registrar_secondary_changed
\echo did :registrar_secondary_action
\endif
\endif
\echo step checking the replica-read roles
-- The same query as in the loop below: each application role, whether it should read from the secondaries, whether
-- it may now.
SELECT count(*) > 0 AS read_roles_to_change
  FROM (SELECT r.name,
                r.name = ANY (pg_catalog.string_to_array(current_setting('citus_pgvector.replica_read_roles'), ',')),
                pg_catalog.has_parameter_privilege(a.oid, 'citus.use_secondary_nodes', 'SET')
                  AND EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting d
                               WHERE d.setrole = a.oid AND d.setdatabase = 0
                                 AND 'default_transaction_read_only=on' = ANY (d.setconfig))
           FROM unnest(pg_catalog.string_to_array(current_setting('citus_pgvector.application_roles'), ',')) AS r(name)
           JOIN pg_catalog.pg_roles a ON a.rolname = r.name) AS roles(name, wanted, current)
 WHERE wanted IS DISTINCT FROM current \gset registrar_
\if :registrar_read_roles_to_change
\echo step setting up the replica-read roles
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(:lock_key) \gset registrar_
-- Each node keeps its own roles (registrar-node.sql): the role's settings stay on the coordinator, where queries
-- are planned.
SET LOCAL citus.enable_ddl_propagation = off;
DO $roles$
DECLARE
  role_name text;
  reads boolean;
  done text[] := '{}';
BEGIN
  FOR role_name, reads IN
    SELECT name, wanted FROM (SELECT r.name,
                   r.name = ANY (pg_catalog.string_to_array(current_setting('citus_pgvector.replica_read_roles'), ',')),
                   pg_catalog.has_parameter_privilege(a.oid, 'citus.use_secondary_nodes', 'SET')
                     AND EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting d
                                  WHERE d.setrole = a.oid AND d.setdatabase = 0
                                    AND 'default_transaction_read_only=on' = ANY (d.setconfig))
              FROM unnest(pg_catalog.string_to_array(current_setting('citus_pgvector.application_roles'), ',')) AS r(name)
              JOIN pg_catalog.pg_roles a ON a.rolname = r.name) AS roles(name, wanted, current)
     WHERE wanted IS DISTINCT FROM current
  LOOP
    IF reads THEN
      EXECUTE format('GRANT SET ON PARAMETER citus.use_secondary_nodes TO %I', role_name);
      EXECUTE format('ALTER ROLE %I SET default_transaction_read_only = on', role_name);
      done := done || format('%s reads from the secondaries', role_name);
    ELSE
      EXECUTE format('REVOKE SET ON PARAMETER citus.use_secondary_nodes FROM %I', role_name);
      EXECUTE format('ALTER ROLE %I RESET default_transaction_read_only', role_name);
      done := done || format('%s no longer reads from the secondaries', role_name);
    END IF;
  END LOOP;
  PERFORM set_config('citus_pgvector.read_roles_action', array_to_string(done, '; '), true);
END
$roles$;
SELECT pg_catalog.current_setting('citus_pgvector.read_roles_action') AS read_roles_action,
       pg_catalog.current_setting('citus_pgvector.read_roles_action') <> '' AS read_roles_changed \gset registrar_
COMMIT;
\if :registrar_read_roles_changed
\echo did set up replica-read roles: :registrar_read_roles_action
\endif
\endif
\echo step done
