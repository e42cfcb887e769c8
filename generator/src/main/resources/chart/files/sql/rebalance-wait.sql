-- Returns when the running rebalance has finished; fails if it failed.
SELECT pg_catalog.citus_rebalance_wait() \g /dev/null
