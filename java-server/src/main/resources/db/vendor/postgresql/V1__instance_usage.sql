-- PostgreSQL's INTEGER has 32 bits: epoch milliseconds are BIGINT here (SQLite's INTEGER has 64).
-- One row per instance life: metered from start to stop in instance-seconds per type.
-- last_seen_at is advanced while the instance runs, so a server that dies without stopping
-- its instances still bills them up to the last time they were seen running.
CREATE TABLE instance_usage (
  instance_id   TEXT    NOT NULL PRIMARY KEY,
  instance_type TEXT    NOT NULL,
  image         TEXT    NOT NULL,
  runtime       TEXT    NOT NULL,
  started_at    BIGINT  NOT NULL, -- epoch milliseconds
  last_seen_at  BIGINT  NOT NULL,
  stopped_at    BIGINT,
  stop_reason   TEXT
);
CREATE INDEX instance_usage_period ON instance_usage (started_at, stopped_at);
