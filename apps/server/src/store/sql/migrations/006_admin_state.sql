-- Shared admin state (issue 22): what the admin API sets lives in the database, so that replicas
-- on one database act as one server. One row holds the server's clock offset and its sink
-- configuration (JSON text, so its key order survives; NULL until first stored). Fault rules are
-- rows whose counters change in single UPDATEs, so a `count` holds across replicas.

CREATE TABLE admin_state (
  id integer PRIMARY KEY CHECK (id = 1),
  clock_offset_ms bigint NOT NULL DEFAULT 0,
  sinks text
);
INSERT INTO admin_state (id) VALUES (1);

CREATE TABLE fault_rules (
  -- The rule's id is `f` and this number; rules apply in this order.
  seq bigserial PRIMARY KEY,
  project_id text,
  delivery boolean NOT NULL,
  count integer,
  hits integer NOT NULL DEFAULT 0,
  matched integer NOT NULL DEFAULT 0,
  seed bigint NOT NULL,
  -- The FaultRuleRequest as it was added (JSON text).
  rule text NOT NULL
);
