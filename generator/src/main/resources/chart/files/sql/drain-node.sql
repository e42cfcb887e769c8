-- Moves every shard off worker :node_name::node_port onto the workers that should have shards
-- (:shard_transfer_mode: auto, force_logical or block_writes). Fails if a shard cannot move.
SELECT pg_catalog.citus_drain_node(:'node_name', :node_port,
                                   shard_transfer_mode => :'shard_transfer_mode'::citus.shard_transfer_mode) \g /dev/null
