-- Starts a background rebalance that also copies reference tables to new workers (:shard_transfer_mode), or joins
-- the one already running. Prints its job id, or nothing when no shard needs to move.
SELECT coalesce(max(job_id), 0) AS running_job, coalesce(max(job_id), 0) > 0 AS has_running_job
  FROM pg_catalog.pg_dist_background_job
 WHERE job_type = 'rebalance' AND state IN ('scheduled', 'running', 'cancelling', 'failing') \gset scaling_
\if :scaling_has_running_job
SELECT :scaling_running_job;
\else
SELECT pg_catalog.citus_rebalance_start(shard_transfer_mode => :'shard_transfer_mode'::citus.shard_transfer_mode);
\endif
