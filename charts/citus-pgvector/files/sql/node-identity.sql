-- One node as replica reads see it: its system identifier (a standby shares its primary's), whether it is in recovery
-- (a standby), and its WAL receiver's status (streaming while it follows its primary). Read by the registrar and by
-- verify.
SELECT c.system_identifier::text, pg_catalog.pg_is_in_recovery(),
       coalesce((SELECT w.status FROM pg_catalog.pg_stat_wal_receiver w), '')
  FROM pg_catalog.pg_control_system() c
