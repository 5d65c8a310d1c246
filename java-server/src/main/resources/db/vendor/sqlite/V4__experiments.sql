-- Experiments and their runs (MLflow's runs, SageMaker's trial components). Integer surrogate
-- keys, assigned by the server (it is the only writer), keep the join tables and their indexes
-- small; MLflow's string ids are columns beside them. Every row records its owner.
-- Laid out for SQLite: runs.run_pk is INTEGER PRIMARY KEY (the rowid, 64 bits in SQLite), and the
-- tables keyed by (run_pk, ...) are WITHOUT ROWID, clustered on that key, so that reaching a run's
-- row, param or metric summary from an index is one B-tree search instead of two.
CREATE TABLE experiments (
  experiment_id     BIGINT  NOT NULL PRIMARY KEY,
  name              TEXT    NOT NULL,
  artifact_location TEXT    NOT NULL,
  lifecycle_stage   TEXT    NOT NULL,
  owner             TEXT    NOT NULL,
  creation_time     BIGINT  NOT NULL,
  last_update_time  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX experiments_name ON experiments (name);

CREATE TABLE experiment_tags (
  experiment_id BIGINT NOT NULL,
  key           TEXT   NOT NULL,
  value         TEXT   NOT NULL,
  owner         TEXT   NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

-- source: the job or notebook the run came from; trial_name: SageMaker's optional group of runs.
CREATE TABLE runs (
  run_pk          INTEGER PRIMARY KEY,
  run_id          TEXT   NOT NULL,
  experiment_id   BIGINT NOT NULL,
  name            TEXT   NOT NULL,
  status          TEXT   NOT NULL,
  start_time      BIGINT,
  end_time        BIGINT,
  lifecycle_stage TEXT   NOT NULL,
  user_id         TEXT   NOT NULL,
  owner           TEXT   NOT NULL,
  source          TEXT,
  trial_name      TEXT,
  artifact_uri    TEXT   NOT NULL,
  deleted_time    BIGINT
);
CREATE UNIQUE INDEX runs_run_id ON runs (run_id);
CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time, run_pk);

-- Filters on a parameter or tag start from (key, value) and reach the run by run_pk.
CREATE TABLE run_params (
  run_pk BIGINT NOT NULL,
  key    TEXT   NOT NULL,
  value  TEXT   NOT NULL,
  owner  TEXT   NOT NULL,
  PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX run_params_key_value ON run_params (key, value, run_pk);

CREATE TABLE run_tags (
  run_pk BIGINT NOT NULL,
  key    TEXT   NOT NULL,
  value  TEXT   NOT NULL,
  owner  TEXT   NOT NULL,
  PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX run_tags_key_value ON run_tags (key, value, run_pk);

-- Every logged point. A NULL value is NaN (SQLite cannot store NaN); seq, assigned in logging
-- order, tells apart points logged twice with the same step and timestamp.
CREATE TABLE metric_points (
  run_pk BIGINT           NOT NULL,
  key    TEXT             NOT NULL,
  step   BIGINT           NOT NULL,
  ts     BIGINT           NOT NULL,
  value  DOUBLE PRECISION,
  seq    BIGINT           NOT NULL,
  owner  TEXT             NOT NULL,
  PRIMARY KEY (run_pk, key, step, ts, seq)
) WITHOUT ROWID;

-- One row per run and metric, kept up to date by each write: what search filters and sorts on
-- (last_value is MLflow's latest value: the greatest step, then timestamp) and the panel shows.
-- Aggregates skip NaN; last_value NULL means the latest point is NaN.
CREATE TABLE metric_summary (
  run_pk     BIGINT           NOT NULL,
  key        TEXT             NOT NULL,
  last_value DOUBLE PRECISION,
  last_step  BIGINT           NOT NULL,
  last_ts    BIGINT           NOT NULL,
  min_value  DOUBLE PRECISION,
  max_value  DOUBLE PRECISION,
  point_count BIGINT          NOT NULL,
  sum_value  DOUBLE PRECISION,
  sum_sq     DOUBLE PRECISION,
  owner      TEXT             NOT NULL,
  PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX metric_summary_key_last ON metric_summary (key, last_value, run_pk);

-- Datasets a run used (MLflow's log-inputs), with the input's tags as a JSON object.
CREATE TABLE run_inputs (
  run_pk      BIGINT NOT NULL,
  name        TEXT   NOT NULL,
  digest      TEXT   NOT NULL,
  source_type TEXT   NOT NULL,
  source      TEXT   NOT NULL,
  schema_json TEXT,
  profile     TEXT,
  tags        TEXT   NOT NULL,
  owner       TEXT   NOT NULL,
  PRIMARY KEY (run_pk, name, digest)
) WITHOUT ROWID;
