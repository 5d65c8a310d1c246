-- MLflow 3's logged models: what mlflow.<flavor>.log_model creates, with its artifacts under its
-- experiment's (experiments/<experiment_id>/models/<model_id>/artifacts/ in the object store).
-- Every row records its owner.
CREATE TABLE logged_models (
  model_id          TEXT   NOT NULL PRIMARY KEY,
  experiment_id     BIGINT NOT NULL,
  name              TEXT   NOT NULL,
  source_run_id     TEXT,
  model_type        TEXT,
  status            TEXT   NOT NULL,
  artifact_location TEXT   NOT NULL,
  creation_time     BIGINT NOT NULL,
  last_updated_time BIGINT NOT NULL,
  owner             TEXT   NOT NULL
);
CREATE INDEX logged_models_by_experiment ON logged_models (experiment_id, name, creation_time);

CREATE TABLE logged_model_tags (
  model_id TEXT NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  owner    TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
);

CREATE TABLE logged_model_params (
  model_id TEXT NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  owner    TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
);

-- A run's outputs (MLflow's log_outputs): the models it produced, at a step.
CREATE TABLE run_model_outputs (
  run_id   TEXT   NOT NULL,
  model_id TEXT   NOT NULL,
  step     BIGINT NOT NULL,
  owner    TEXT   NOT NULL,
  PRIMARY KEY (run_id, model_id)
);
