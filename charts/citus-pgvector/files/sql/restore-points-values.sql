-- The restore points recorded on this coordinator (citus_pgvector.restore_points, written by restore-point.sql), as
-- the entries of the chart's restore.points, newest first: each point's name and every node's recovery target, by
-- the node's name in pg_dist_node (its cluster's Service, which is the cluster's name).
-- Variables: limit (how many points).
SELECT format(E'  - name: %s\n    nodes:\n%s', name,
              string_agg(format('      %s: "%s"', node_name,
                                to_char(target_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
                         E'\n' ORDER BY node_group))
  FROM citus_pgvector.restore_points
 GROUP BY name
 ORDER BY name DESC
 LIMIT :limit;
