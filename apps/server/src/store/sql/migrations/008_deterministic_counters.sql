-- `--deterministic` on a database that replicas share (issue 22): the clock's reads since its
-- last restart and the last number of each sequence of ids live beside the clock's offset, so
-- that requests spread over replicas, one at a time, get the ids and times one server would
-- give. `counters_version` counts how often a replica kept them (and resets): a replica takes
-- the stored counters on when they are newer than its own. `clock_resets` counts full resets:
-- between two, the clock's offset only grows, so a replica's read that is older than a move it
-- made (a smaller offset without a reset since) never moves its clock back.

ALTER TABLE admin_state
  ADD COLUMN clock_resets bigint NOT NULL DEFAULT 0,
  ADD COLUMN clock_reads bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_id bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_event_id bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_message_id bigint NOT NULL DEFAULT 0,
  ADD COLUMN counters_version bigint NOT NULL DEFAULT 0;
