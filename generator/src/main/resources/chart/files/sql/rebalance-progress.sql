-- One line about background job :job_id: state<TAB>tasks done<TAB>tasks<TAB>latest error of a task (retried or
-- failed), if any.
SELECT j.state,
       (SELECT count(*) FROM pg_catalog.pg_dist_background_task t WHERE t.job_id = j.job_id AND t.status = 'done'),
       (SELECT count(*) FROM pg_catalog.pg_dist_background_task t WHERE t.job_id = j.job_id),
       coalesce((SELECT replace(t.message, E'\n', ' ') FROM pg_catalog.pg_dist_background_task t
                  WHERE t.job_id = j.job_id AND coalesce(t.message, '') <> ''
                    AND (t.status IN ('error', 'cancelled') OR t.retry_count > 0)
                  ORDER BY t.task_id DESC LIMIT 1), '')
  FROM pg_catalog.pg_dist_background_job j
 WHERE j.job_id = :job_id;
