// Seed files for the servers under test (the reference server's --seed format).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PROJECT = "benchproject";
export const SHOW_EVENT = "bench-event-000000";

const eventName = (i) => `bench-event-${String(i).padStart(6, "0")}`;
export const eventBody = (i) => ({
  name: eventName(i),
  event_types: ["SECRET_VERSION_CREATED", "SECRET_ROTATED"],
  state: i % 2 ? "ENABLED" : "DISABLED",
  notification: {
    target_type: "SMN",
    target_id: `urn:smn:cn-north-4:${PROJECT}:topic`,
    target_name: "topic",
  },
});
export const notificationBody = (i) => ({
  notification_name: `bench_notification_${i}`,
  operation_type: "customized",
  operations: [
    {
      service_type: "CTS",
      resource_type: "tracker",
      trace_names: ["createTracker", "deleteTracker"],
    },
  ],
  notify_user_list: [{ user_group: "admin", user_list: ["alice", "bob"] }],
  topic_id: `urn:smn:cn-north-4:${PROJECT}:topic`,
});

/**
 * A temp dir for this run, removed when the process exits: normally, after a throw, or when
 * stopped by SIGINT/SIGTERM (the signal is then re-raised, so it still ends the process the
 * usual way).
 */
export function tempDirectory(name) {
  const dir = mkdtempSync(join(tmpdir(), `cts-csms-bench-${name}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", remove);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      remove();
      process.kill(process.pid, signal);
    });
  }
  return dir;
}

// One temp dir per run for every seed file.
let seedDir;
function seedDirectory() {
  seedDir ??= tempDirectory("seeds");
  return seedDir;
}

/** Writes a seed with `events` events and `notifications` notifications; returns its path. */
export function writeSeed({ events, notifications = 0 }) {
  const file = join(seedDirectory(), `seed-${events}-${notifications}.json`);
  const seed = {
    projects: {
      [PROJECT]: {
        events: Array.from({ length: events }, (_, i) => eventBody(i)),
        notifications: Array.from({ length: notifications }, (_, i) => notificationBody(i)),
      },
    },
  };
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/** A marker in the middle of the stored events, so a page is a real slice, not the head. */
export const middleMarker = (events) => eventName(Math.floor(events / 2));

/** The topic the events benchmark's notification names. */
export const EVENTS_TOPIC = `urn:smn:cn-north-4:${PROJECT}:bench_events`;

/**
 * A seed for the events benchmark: one notification that every `createNotification` trace
 * matches (so each benchmarked create queues a signed SMN message), and the topic's sinks.
 */
export function writeEventsSeed({ name, sinks }) {
  const file = join(seedDirectory(), `seed-events-${name}.json`);
  const seed = {
    ...(sinks && { sinks }),
    projects: {
      [PROJECT]: {
        notifications: [
          {
            notification_name: "bench_every_create",
            operation_type: "customized",
            operations: [
              {
                service_type: "CTS",
                resource_type: "notification",
                trace_names: ["createNotification"],
              },
            ],
            topic_id: EVENTS_TOPIC,
          },
        ],
      },
    },
  };
  writeFileSync(file, JSON.stringify(seed));
  return file;
}
