-- The four repositories. Each row keeps the resource exactly as the API returns it (`body`, JSON
-- text, so the key order survives) plus the columns that constraints, lookups and ordering need.
-- `seq` columns come from one sequence per table: creation order, and markers that stay stable
-- while rows are added (a marker names a position, never an offset).

CREATE TABLE notifications (
  project_id text NOT NULL,
  notification_id text NOT NULL,
  notification_name text NOT NULL,
  notification_type text NOT NULL,
  seq bigserial NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (project_id, notification_id),
  CONSTRAINT notifications_name_unique UNIQUE (project_id, notification_name)
);
CREATE INDEX notifications_by_type ON notifications (project_id, notification_type, seq);

CREATE TABLE secret_events (
  project_id text NOT NULL,
  -- Code-point order, as the list's markers expect.
  name text COLLATE "C" NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (project_id, name)
);

CREATE TABLE notification_records (
  project_id text NOT NULL,
  create_time bigint NOT NULL,
  seq bigserial NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (project_id, create_time, seq)
);

CREATE TABLE traces (
  project_id text NOT NULL,
  seq bigserial NOT NULL,
  trace_id text NOT NULL,
  time bigint NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (project_id, seq),
  CONSTRAINT traces_id_unique UNIQUE (project_id, trace_id)
);
