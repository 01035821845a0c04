-- Waits on deliveries' outcomes (issue 22): a CSMS secret event's notification record and a
-- rotation function's task are finished once their deliveries settle, by whichever replica
-- settles the last one (the one that queued them, or one that took them over). A wait is
-- stored in the transaction of the write that queued its deliveries; `open` counts those not
-- settled yet, and each settled delivery removes its `delivery_wait_members` row, so it counts
-- once. `failure` is the first failed delivery (JSON text), `body` what the waiter needs.

CREATE TABLE delivery_waits (
  wait_id text PRIMARY KEY,
  project_id text NOT NULL,
  kind text NOT NULL,
  body text NOT NULL,
  open integer NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  failure text
);
CREATE INDEX delivery_waits_project ON delivery_waits (project_id);

CREATE TABLE delivery_wait_members (
  delivery_id text PRIMARY KEY,
  wait_id text NOT NULL REFERENCES delivery_waits (wait_id) ON DELETE CASCADE
);
CREATE INDEX delivery_wait_members_wait ON delivery_wait_members (wait_id);
