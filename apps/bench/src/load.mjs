// The load generator: autocannon against a running server, for the three benchmarked operations.
import autocannon from "autocannon";
import { middleMarker, PROJECT, SHOW_EVENT } from "./seed.mjs";

const auth = { "X-Auth-Token": "bench-token" };
const json = { ...auth, "Content-Type": "application/json" };

/** The request of each benchmarked operation; `create` gets a fresh name every time. */
export function requestsFor(operation, { events }) {
  switch (operation) {
    case "createNotification": {
      let n = 0;
      const prefix = Math.random().toString(36).slice(2, 8);
      return [
        {
          method: "POST",
          path: `/v3/${PROJECT}/notifications`,
          headers: json,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({
              notification_name: `b_${prefix}_${n++}`,
              operation_type: "customized",
              operations: [
                { service_type: "CTS", resource_type: "tracker", trace_names: ["deleteTracker"] },
              ],
              topic_id: `urn:smn:cn-north-4:${PROJECT}:topic`,
            }),
          }),
        },
      ];
    }
    case "showSecretEvent":
      return [{ method: "GET", path: `/v1/${PROJECT}/csms/events/${SHOW_EVENT}`, headers: auth }];
    case "listSecretEvents":
      return [
        {
          method: "GET",
          path: `/v1/${PROJECT}/csms/events?limit=50&marker=${middleMarker(events)}`,
          headers: auth,
        },
      ];
    default:
      throw new Error(`no load profile for ${operation}`);
  }
}

/** Runs autocannon; returns req/s, latency percentiles (ms) and the count of non-2xx answers. */
export async function load(url, operation, { connections, duration, events }) {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: requestsFor(operation, { events }),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
