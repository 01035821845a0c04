-- Scheduled rotation and rotation tasks (issue 23). A secret's next automatic rotation is a
-- column beside its body, so that one UPDATE claims a due rotation (moving it past `now` as a
-- lease) and each fires once across replicas; its tasks are kept per project in creation order.

ALTER TABLE secrets ADD COLUMN next_rotation_time bigint;
CREATE INDEX secrets_rotation_due ON secrets (next_rotation_time)
  WHERE next_rotation_time IS NOT NULL;

CREATE TABLE secret_tasks (
  project_id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  task_id text NOT NULL,
  secret_name text COLLATE "C" NOT NULL,
  task_status text NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (project_id, task_id)
);
CREATE INDEX secret_tasks_order ON secret_tasks (project_id, seq);
