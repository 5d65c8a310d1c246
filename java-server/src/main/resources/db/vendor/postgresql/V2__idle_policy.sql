-- PostgreSQL's INTEGER has 32 bits: epoch milliseconds are BIGINT here (SQLite's INTEGER has 64).
-- Idle shutdown per instance type, in minutes; 0 turns a rule off.
CREATE TABLE idle_policy (
  instance_type          TEXT    NOT NULL PRIMARY KEY,
  kernel_idle_minutes    INTEGER NOT NULL DEFAULT 0,
  instance_idle_minutes  INTEGER NOT NULL DEFAULT 0,
  updated_at             BIGINT  NOT NULL
);
