-- Tags of the resources the SageMaker-compatible API serves (AddTags, ListTags, DeleteTags, and the
-- Tags of Create* requests), per owner: a resource by its ARN's type and lower-cased name (ARNs
-- lower-case names and carry the caller's region, so the same resource has one set of tags).
CREATE TABLE sagemaker_tags (
  owner          TEXT   NOT NULL,
  resource_type  TEXT   NOT NULL,
  resource_name  TEXT   NOT NULL,
  tag_key        TEXT   NOT NULL,
  tag_value      TEXT   NOT NULL,
  added_at       BIGINT NOT NULL,
  PRIMARY KEY (owner, resource_type, resource_name, tag_key)
);
