-- Training and processing jobs. The whole SageMaker-shaped description is kept as JSON and
-- rewritten on every change, the validated request it was created from beside it; the columns beside it are what lists filter and sort on.
CREATE TABLE jobs (
  kind            TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  status          TEXT    NOT NULL,
  secondary       TEXT    NOT NULL,
  instance_type   TEXT    NOT NULL,
  image           TEXT    NOT NULL,
  created_by      TEXT    NOT NULL,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  container_id    TEXT,
  request         TEXT    NOT NULL,
  description     TEXT    NOT NULL,
  PRIMARY KEY (kind, name)
);
CREATE INDEX jobs_created ON jobs (created_at);

-- Metric samples parsed from job logs by the job's MetricDefinitions.
CREATE TABLE job_metrics (
  kind    TEXT             NOT NULL,
  name    TEXT             NOT NULL,
  metric  TEXT             NOT NULL,
  ts      BIGINT           NOT NULL,
  value   DOUBLE PRECISION NOT NULL
);
CREATE INDEX job_metrics_job ON job_metrics (kind, name, metric, ts);
