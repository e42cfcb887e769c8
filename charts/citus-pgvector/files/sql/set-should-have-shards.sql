-- Whether Citus may place shards on worker :node_name::node_port (:should_have_shards is true or false).
SELECT pg_catalog.citus_set_node_property(:'node_name', :node_port, 'shouldhaveshards', :should_have_shards) \g /dev/null
