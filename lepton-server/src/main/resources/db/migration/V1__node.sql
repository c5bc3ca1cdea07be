-- Settings of this installation (node), one row per key. (H2 reserves "value" and "key".)
CREATE TABLE node_setting (
  setting_name  VARCHAR(100) PRIMARY KEY,
  setting_value TEXT NOT NULL
);
