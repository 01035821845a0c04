-- CSMS secrets and their versions (issue 15). A secret's row keeps its API body; a version's row
-- keeps its metadata body, its value (one of the two value columns, as a JSON string so that any
-- character fits; read back only by ShowSecretVersion) and whether its expiry was taken, which a single UPDATE flips so that each
-- expiry fires once across replicas.

CREATE TABLE secrets (
  project_id text NOT NULL,
  -- Code-point order, as the list's markers expect.
  name text COLLATE "C" NOT NULL,
  last_version integer NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (project_id, name)
);

CREATE TABLE secret_versions (
  project_id text NOT NULL,
  secret_name text COLLATE "C" NOT NULL,
  number integer NOT NULL,
  body text NOT NULL,
  secret_string text,
  secret_binary text,
  expire_time bigint,
  expiry_taken boolean NOT NULL DEFAULT false,
  PRIMARY KEY (project_id, secret_name, number),
  FOREIGN KEY (project_id, secret_name) REFERENCES secrets (project_id, name) ON DELETE CASCADE
);
CREATE INDEX secret_versions_due ON secret_versions (expire_time)
  WHERE expire_time IS NOT NULL AND NOT expiry_taken;

CREATE INDEX notification_records_time ON notification_records (create_time);
