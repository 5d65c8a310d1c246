-- One row per instance life: metered from start to stop in instance-seconds per type.
-- last_seen_at is advanced while the instance runs, so a server that dies without stopping
-- its instances still bills them up to the last time they were seen running.
CREATE TABLE instance_usage (
  instance_id   TEXT    NOT NULL PRIMARY KEY,
  instance_type TEXT    NOT NULL,
  image         TEXT    NOT NULL,
  runtime       TEXT    NOT NULL,
  started_at    INTEGER NOT NULL, -- epoch milliseconds
  last_seen_at  INTEGER NOT NULL,
  stopped_at    INTEGER,
  stop_reason   TEXT
);
CREATE INDEX instance_usage_period ON instance_usage (started_at, stopped_at);
