-- Scale-up, waiting (changes nothing): how many of :desired_workers (comma-separated host:port) are active
-- primaries in pg_dist_node, as one line: active<TAB>desired<TAB>the ones not active yet (comma-separated).
SELECT count(n.nodeid),
       count(*),
       coalesce(string_agg(d.worker, ',' ORDER BY d.position) FILTER (WHERE n.nodeid IS NULL), '')
  FROM unnest(string_to_array(:'desired_workers', ',')) WITH ORDINALITY AS d(worker, position)
  LEFT JOIN pg_catalog.pg_dist_node n
    ON n.nodename || ':' || n.nodeport = d.worker AND n.isactive AND n.noderole = 'primary' AND n.groupid <> 0;
