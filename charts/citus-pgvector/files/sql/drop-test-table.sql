-- Drops the helm test's table :test_table at the end of the test, passed or failed.
DROP TABLE IF EXISTS :"test_table";
