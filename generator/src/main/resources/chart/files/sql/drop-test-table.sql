-- Drops the helm test's table :test_table after a failed test.
DROP TABLE IF EXISTS :"test_table";
