-- Hosting: models, endpoint configs and endpoints. Each keeps its SageMaker-shaped description as
-- JSON, rewritten on every change; the columns beside it are what lists sort on and who made it.
CREATE TABLE endpoint_models (
  name        TEXT    NOT NULL PRIMARY KEY,
  created_by  TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  description TEXT    NOT NULL
);

CREATE TABLE endpoint_configs (
  name        TEXT    NOT NULL PRIMARY KEY,
  created_by  TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  description TEXT    NOT NULL
);

-- plan: what runs for each variant (service, image, runtime, model folder, environment, limits),
-- so that a restarted server adopts the running replicas without the model or config rows.
CREATE TABLE endpoints (
  name        TEXT    NOT NULL PRIMARY KEY,
  config_name TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  created_by  TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  updated_at  BIGINT  NOT NULL,
  description TEXT    NOT NULL,
  plan        TEXT    NOT NULL
);
CREATE INDEX endpoints_config ON endpoints (config_name);
