-- Durable deliveries (issue 22): the delivery log and queue live in the database, so that every
-- replica shows the same log and a delivery outlives the replica that queued it. A pending
-- delivery is held by one replica (`owner`) until `lease_until` (ms, renewed while it lives);
-- once that has passed, another replica takes it over. `due_at` is when its next attempt is due
-- (ms, wall time, unlike the record's own times, which follow the server clock). The record as
-- the delivery log shows it is `body` (JSON text, so its key order stays as written).

CREATE TABLE deliveries (
  seq bigserial PRIMARY KEY,
  delivery_id text NOT NULL UNIQUE,
  project_id text NOT NULL,
  status text NOT NULL,
  owner text,
  lease_until bigint,
  due_at bigint,
  in_flight boolean NOT NULL DEFAULT false,
  body text NOT NULL
);
CREATE INDEX deliveries_project ON deliveries (project_id, seq);
CREATE INDEX deliveries_pending ON deliveries (seq) WHERE status = 'pending';
