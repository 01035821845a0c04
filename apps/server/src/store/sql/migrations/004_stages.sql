-- Version stages and scheduled deletion (issue 23). A stage's place is in its version's body;
-- secret_stages keeps when UpdateSecretStage last moved it and to which version (stages.ts says
-- how update_time follows). A secret's scheduled_delete_time is in its body and in a column,
-- whose index the deletion sweep reads; the sweep's single DELETE takes each secret once across
-- replicas.

CREATE TABLE secret_stages (
  project_id text NOT NULL,
  secret_name text COLLATE "C" NOT NULL,
  stage text COLLATE "C" NOT NULL,
  version_id text NOT NULL,
  update_time bigint NOT NULL,
  PRIMARY KEY (project_id, secret_name, stage),
  FOREIGN KEY (project_id, secret_name) REFERENCES secrets (project_id, name) ON DELETE CASCADE
);

ALTER TABLE secrets ADD COLUMN scheduled_delete_time bigint;
CREATE INDEX secrets_due ON secrets (scheduled_delete_time)
  WHERE scheduled_delete_time IS NOT NULL;
