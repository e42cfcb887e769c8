-- Citus streams a split's changes through its own logical decoding output plugin, "citus". PostgreSQL releases with
-- the setting output_plugin_libraries load only the plugins it lists (default: pgoutput, test_decoding), so the
-- split fails on the source worker with 'library "citus" may not be used as an output plugin'. This adds citus to
-- the list for the role Citus connects as (the owner of the citus extension), on every node: Citus propagates ALTER
-- ROLE ... SET to the workers, and a role setting lives in the catalog, so a promoted replica has it too. Nothing
-- changes where the setting does not exist or already lists citus. Prints one line when it changed something.
SELECT pg_catalog.current_setting('output_plugin_libraries', true) IS NOT NULL
       AND NOT 'citus' = ANY (string_to_array(replace(current_setting('output_plugin_libraries', true), ' ', ''), ','))
       AS needs_citus,
       (SELECT r.rolname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_roles r ON r.oid = e.extowner
         WHERE e.extname = 'citus') AS citus_owner,
       replace(current_setting('output_plugin_libraries', true), ' ', '') || ',citus' AS plugins \gset split_
\if :split_needs_citus
SELECT format('ALTER ROLE %I SET output_plugin_libraries = %s', :'split_citus_owner',
              (SELECT string_agg(quote_ident(p), ', ') FROM unnest(string_to_array(:'split_plugins', ',')) p
                WHERE p <> '')) AS statement \gset split_
:split_statement;
SELECT 'output_plugin_libraries of role ' || :'split_citus_owner' || ' now lists citus (Citus splits shards with it)';
\endif
