-- One node as replica reads see it: its system identifier (a standby shares its primary's), whether it is in recovery
-- (a standby), its WAL receiver's status (streaming while it follows its primary), and the address and port it
-- answered on (the same node behind two names answers on the same one). Read by the registrar and by verify.
SELECT c.system_identifier::text, pg_catalog.pg_is_in_recovery(),
       coalesce((SELECT w.status FROM pg_catalog.pg_stat_wal_receiver w), ''),
       coalesce(pg_catalog.host(pg_catalog.inet_server_addr()), 'socket') || ':' || pg_catalog.inet_server_port()
  FROM pg_catalog.pg_control_system() c
