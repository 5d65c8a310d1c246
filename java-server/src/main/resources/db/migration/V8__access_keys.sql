-- Access keys of the SageMaker-compatible API: one per owner, replaced when rotated. The secret is
-- needed to verify signatures, so it is kept sealed (AES-GCM under a key file in the server's data
-- directory) rather than hashed: a copy of the database alone signs nothing.
CREATE TABLE access_keys (
  owner          TEXT   NOT NULL PRIMARY KEY,
  access_key_id  TEXT   NOT NULL UNIQUE,
  sealed_secret  TEXT   NOT NULL,
  created_at     BIGINT NOT NULL
);
