-- Autoscaling: a variant's target-tracking policy (ScalingPolicy's JSON), kept until it is removed
-- or its endpoint is deleted, so that a restarted server scales the variant again.
CREATE TABLE endpoint_scaling (
  endpoint_name TEXT   NOT NULL,
  variant_name  TEXT   NOT NULL,
  created_by    TEXT   NOT NULL,
  created_at    BIGINT NOT NULL,
  policy        TEXT   NOT NULL,
  PRIMARY KEY (endpoint_name, variant_name)
);
