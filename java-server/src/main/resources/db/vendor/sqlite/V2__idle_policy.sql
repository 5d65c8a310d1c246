-- Idle shutdown per instance type, in minutes; 0 turns a rule off.
CREATE TABLE idle_policy (
  instance_type          TEXT    NOT NULL PRIMARY KEY,
  kernel_idle_minutes    INTEGER NOT NULL DEFAULT 0,
  instance_idle_minutes  INTEGER NOT NULL DEFAULT 0,
  updated_at             INTEGER NOT NULL
);
