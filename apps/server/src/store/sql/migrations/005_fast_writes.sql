-- Fast writes (issue 22). A trace is matched against its candidate notifications only, read
-- through indexes: the enabled `complete` ones, and the enabled `customized` ones whose
-- `operations` name the trace's service type, resource type and trace name. The matching
-- columns are generated from the body, so every write of a notification keeps them true.
-- A key is `[project_id, service_type, resource_type, trace_name]` as JSON text, project first
-- so that the GIN index finds one project's notifications only.

CREATE FUNCTION notification_operation_keys(project_id text, body text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN (body::jsonb)->>'operation_type' = 'complete' THEN '{}'::text[] ELSE ARRAY(
    SELECT DISTINCT jsonb_build_array(project_id, op->>'service_type', op->>'resource_type', name)::text
    FROM jsonb_array_elements(COALESCE((body::jsonb)->'operations', '[]'::jsonb)) AS op,
         jsonb_array_elements_text(COALESCE(op->'trace_names', '[]'::jsonb)) AS name) END
$$;

ALTER TABLE notifications
  ADD COLUMN status text GENERATED ALWAYS AS ((body::jsonb)->>'status') STORED,
  ADD COLUMN operation_type text GENERATED ALWAYS AS ((body::jsonb)->>'operation_type') STORED,
  ADD COLUMN operation_keys text[]
    GENERATED ALWAYS AS (notification_operation_keys(project_id, body)) STORED;

CREATE INDEX notifications_complete ON notifications (project_id, seq)
  WHERE status = 'enabled' AND operation_type = 'complete';
-- Without GIN's pending list: with it, every search scans the keys inserted since the last
-- vacuum, so a trace right after many creates would read them all.
CREATE INDEX notifications_operations ON notifications USING gin (operation_keys)
  WITH (fastupdate = off) WHERE status = 'enabled';
