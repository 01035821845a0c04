// Scale: resident memory with 100k notifications + 100k events stored through the API, and
// whether show/list latency stays flat from 1k to 100k stored events (O(1) lookups, O(limit)
// pages). Latency is measured one request at a time (no queueing), in microseconds.
import { Agent, request } from "node:http";
import autocannon from "autocannon";
import { peakRssBytes, rssBytes, targets } from "./processes.mjs";
import {
  eventBody,
  middleMarker,
  notificationBody,
  PROJECT,
  SHOW_EVENT,
  writeSeed,
} from "./seed.mjs";

const headers = { "X-Auth-Token": "bench-token", "Content-Type": "application/json" };

/** Creates `amount` resources through the API with 20 connections; returns the non-2xx count. */
async function fill(url, path, make, amount) {
  let n = 0;
  const r = await autocannon({
    url,
    connections: 20,
    amount,
    requests: [
      {
        method: "POST",
        path,
        headers,
        setupRequest: (req) => ({ ...req, body: JSON.stringify(make(n++)) }),
      },
    ],
  });
  return r.non2xx + r.errors;
}

/** Median and p99 latency (µs) of `count` sequential GETs of `path`. */
export async function probe(url, path, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  const once = () =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = request({ hostname, port, path, agent, headers }, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(Number(process.hrtime.bigint() - t0) / 1000)
            : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      });
      req.on("error", reject);
      req.end();
    });
  // Warm-up: the same JIT state on both sides of the comparison.
  for (let i = 0; i < Math.max(1000, count); i++) await once();
  const samples = [];
  for (let i = 0; i < count; i++) samples.push(await once());
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(count / 2)], p99: samples[Math.floor(count * 0.99)] };
}

/** Show and list p50/p99 (µs) with `events` stored events. */
export async function latencies(url, events, count) {
  return {
    show: await probe(url, `/v1/${PROJECT}/csms/events/${SHOW_EVENT}`, count),
    list: await probe(
      url,
      `/v1/${PROJECT}/csms/events?limit=50&marker=${middleMarker(events)}`,
      count,
    ),
  };
}

export async function benchScale({ large, small, samples }) {
  const out = { large, small };
  const smallServer = await targets.validated(writeSeed({ events: small }));
  try {
    out.small = await latencies(smallServer.url, small, samples);
  } finally {
    await smallServer.stop();
  }

  const server = await targets.validated(writeSeed({ events: 0 }));
  try {
    const t0 = performance.now();
    out.failed =
      (await fill(server.url, `/v3/${PROJECT}/notifications`, notificationBody, large)) +
      (await fill(server.url, `/v1/${PROJECT}/csms/events`, eventBody, large));
    out.fillSeconds = (performance.now() - t0) / 1000;
    out.rss = rssBytes(server.pid);
    out.large = await latencies(server.url, large, samples);
    out.rssAfterProbe = rssBytes(server.pid);
  } finally {
    await server.stop();
  }

  // The same amount preloaded from a --seed file: the parse of the file itself peaks higher.
  // Spawn to listening (the seed is applied before it listens), and the peak RSS on the way.
  const file = writeSeed({ events: large, notifications: large });
  const t0 = performance.now();
  const seeded = await targets.validated(file);
  out.seedSeconds = (performance.now() - t0) / 1000;
  out.rssSeedFile = rssBytes(seeded.pid);
  out.rssSeedPeak = peakRssBytes(seeded.pid);
  await seeded.stop();
  return out;
}
