#!/usr/bin/env node
// npm run bench: every figure measured side by side in one run on this machine, printed as a table
// plus one `ratio <name>: <value>` / `figure <name>: <value> <unit>` line per figure.
//   --duration S       seconds of load per operation and target (default 10)
//   --connections N    autocannon connections (default 50)
//   --events N         stored events for the list benchmark (default 10000)
//   --scale-large N    resources of each kind for the scale test (default 100000)
//   --scale-small N    the small side of the latency comparison (default 1000)
//                      (both also the stored events of the stores section: 1k vs 100k)
//   --samples N        sequential requests per latency probe (default 2000)
//   --startup-runs N   server starts per target for the start-up time (default 5)
//   --write-notifications N  notifications in the large project of the writes section
//                      (default 10000; the small one holds 10)
//   --runtimes LIST    the Node majors the start-up is measured on, the first the primary one
//                      (default 24,20, fetched by .ci/with-node.mjs); `current`: this node only
//   --skip LIST        comma-separated sections to skip:
//                      startup,throughput,scale,stores,writes,events,signer,build
//   --markdown FILE    also write the report as Markdown to FILE
//   --quick            do not wait for each server's start-up work to settle before measuring
//                      it (the smoke test's setting: its figures are rough, the run quicker)
import { writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { benchBuild } from "./build.mjs";
import { load } from "./load.mjs";
import { cpuSeconds, idle, skipSettling, targets } from "./processes.mjs";
import { benchReset } from "./reset.mjs";
import { runtime } from "./runtimes.mjs";
import { benchScale } from "./scale.mjs";
import { EVENTS_TOPIC, writeEventsSeed, writeSeed } from "./seed.mjs";
import { benchSigner } from "./signer.mjs";
import { benchStartup } from "./startup.mjs";
import { benchStores, STORE_OPERATIONS, STORES } from "./stores.mjs";
import { BURST, benchWrites } from "./writes.mjs";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    events: { type: "string", default: "10000" },
    "scale-large": { type: "string", default: "100000" },
    "scale-small": { type: "string", default: "1000" },
    samples: { type: "string", default: "2000" },
    "startup-runs": { type: "string", default: "5" },
    "write-notifications": { type: "string", default: "10000" },
    runtimes: { type: "string", default: "24,20" },
    skip: { type: "string", default: "" },
    markdown: { type: "string" },
    quick: { type: "boolean", default: false },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const events = Number(args.events);
const skip = new Set(args.skip.split(",").filter(Boolean));
if (args.quick) skipSettling();
const OPERATIONS = ["createNotification", "showSecretEvent", "listSecretEvents"];

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const rows = []; // [section, name, value, unit]
const ratios = []; // [name, value, target?]
const figure = (section, name, value, unit) => rows.push([section, name, value, unit]);
const ratio = (name, value, target) => ratios.push([name, value, target]);
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

async function startup() {
  const runs = Number(args["startup-runs"]);
  // By default Node 24, the primary runtime, and Node 20, the oldest CI proves.
  const own = process.versions.node.split(".")[0];
  const majors = args.runtimes === "current" ? [own] : args.runtimes.split(",");
  for (const major of majors) {
    const node =
      major === own ? { execPath: process.execPath, version: process.version } : runtime(major);
    log(
      `startup on Node ${node.version}: spawn to first answered request, ours vs Prism, ${runs} runs each`,
    );
    const s = await benchStartup({ runs, port: freePort, node: node.execPath });
    const on = `Node ${major}`;
    figure("startup", `spawn to first answered request, cts-csms-server, ${on}`, s.ours, "s");
    figure("startup", `spawn to first answered request, prism, ${on}`, s.prism, "s");
    if (s.failed) figure("errors", `startup first answers non-2xx, ${on}`, s.failed, "responses");
    if (major === majors[0]) ratio(`startup ${on} s / 0.5`, s.ours / 0.5, ["<=", 1]);
    ratio(`startup prism/ours ${on}`, s.prism / s.ours, [">=", 3]);
  }
  log("startup: the testing kit's per-file reset");
  const r = await benchReset();
  figure(
    "startup",
    `per-file reset of a project with ${r.resources}+${r.resources} resources`,
    r.ms,
    "ms",
  );
  if (r.failed) figure("errors", "reset bench non-2xx", r.failed, "responses");
  ratio("per-file reset ms / 10", r.ms / 10, ["<=", 1]);
}

async function throughput() {
  const seed = writeSeed({ events });
  const results = {};
  for (const key of ["bare", "validated", "noResponseValidation", "prism"]) {
    log(`throughput: starting ${key}`);
    const servers =
      key === "prism"
        ? {
            cts: await targets.prism("cts", await freePort()),
            csms: await targets.prism("csms", await freePort()),
          }
        : await targets[key](seed).then((s) => ({ cts: s, csms: s }));
    try {
      await idle(servers.cts.pid);
      if (servers.csms !== servers.cts) await idle(servers.csms.pid);
      results[key] = {};
      for (const op of OPERATIONS) {
        const url = op === "createNotification" ? servers.cts.url : servers.csms.url;
        await load(url, op, { connections, duration: Math.min(1, duration), events }); // warm-up
        const pid = op === "createNotification" ? servers.cts.pid : servers.csms.pid;
        const cpu0 = cpuSeconds(pid);
        const r = await load(url, op, { connections, duration, events });
        // Server CPU per request: unlike req/s, not capped by the load generator sharing the cores.
        r.cpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / r.requests;
        results[key][op] = r;
        figure("cpu", `${key} ${op} server CPU per request`, r.cpuUs, "µs");
        log(
          `  ${key} ${op}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}`,
        );
        figure("throughput", `${key} ${op}`, r.rps, "req/s");
        figure("latency", `${key} ${op} p50`, r.p50, "ms");
        figure("latency", `${key} ${op} p99`, r.p99, "ms");
        if (r.non2xx || r.errors)
          figure("errors", `${key} ${op} non-2xx+errors`, r.non2xx + r.errors, "responses");
      }
    } finally {
      await servers.cts.stop();
      if (servers.csms !== servers.cts) await servers.csms.stop();
    }
  }
  const short = { createNotification: "create", showSecretEvent: "show", listSecretEvents: "list" };
  for (const op of OPERATIONS) {
    ratio(`validated/bare ${short[op]}`, results.validated[op].rps / results.bare[op].rps, [
      ">=",
      0.8,
    ]);
    ratio(`validated/prism ${short[op]}`, results.validated[op].rps / results.prism[op].rps, [
      ">=",
      2,
    ]);
    ratio(
      `no-response-validation/bare ${short[op]}`,
      results.noResponseValidation[op].rps / results.bare[op].rps,
    );
    ratio(
      `bare/validated CPU per request ${short[op]}`,
      results.bare[op].cpuUs / results.validated[op].cpuUs,
    );
    ratio(
      `prism/validated CPU per request ${short[op]}`,
      results.prism[op].cpuUs / results.validated[op].cpuUs,
    );
  }
}

async function scale() {
  const large = Number(args["scale-large"]);
  const small = Number(args["scale-small"]);
  const samples = Number(args.samples);
  log(`scale: ${large} notifications + ${large} events through the API`);
  const s = await benchScale({ large, small, samples });
  const mb = (b) => b / 2 ** 20;
  figure("scale", `rss with ${large} notifications + ${large} events`, mb(s.rss), "MB");
  figure("scale", "rss after the latency probes", mb(s.rssAfterProbe), "MB");
  figure("scale", `rss when preloaded from a --seed file`, mb(s.rssSeedFile), "MB");
  figure(
    "scale",
    `peak rss while loading a ${2 * large}-entry --seed file`,
    mb(s.rssSeedPeak),
    "MB",
  );
  figure("scale", `spawn to listening with a ${2 * large}-entry --seed file`, s.seedSeconds, "s");
  figure("scale", `time to create ${2 * large} resources over HTTP`, s.fillSeconds, "s");
  if (s.failed) figure("errors", "scale creates non-2xx+errors", s.failed, "responses");
  for (const op of ["show", "list"]) {
    figure("scale", `${op} p50 at ${small} (sequential)`, s.small[op].p50, "µs");
    figure("scale", `${op} p50 at ${large} (sequential)`, s.large[op].p50, "µs");
    figure("scale", `${op} p99 at ${large} (sequential)`, s.large[op].p99, "µs");
    ratio(`${op} p50 ${large}/${small}`, s.large[op].p50 / s.small[op].p50, ["<=", 1.5]);
  }
  ratio("rss MB / 300", mb(s.rss) / 300, ["<=", 1]);
  ratio("seed load s / 10", s.seedSeconds / 10, ["<=", 1]);
  ratio("seed peak rss MB / 600", mb(s.rssSeedPeak) / 600, ["<=", 1]);
}

/** The three stores side by side: throughput as ratios to memory, and show/list p50 small vs large. */
async function stores() {
  const large = Number(args["scale-large"]);
  const small = Number(args["scale-small"]);
  const samples = Number(args.samples);
  const s = await benchStores({ small, large, duration, connections, samples, log });
  const short = { createNotification: "create", showSecretEvent: "show", listSecretEvents: "list" };
  for (const store of ["pglite", "postgres"]) {
    figure(
      "stores",
      `${store} preload of ${large} events (store API)`,
      s.preloadSeconds[store],
      "s",
    );
  }
  for (const store of STORES) {
    for (const op of STORE_OPERATIONS) {
      const r = s[store].throughput[op];
      figure("stores", `${store} ${op} with ${small} events`, r.rps, "req/s");
      if (r.non2xx || r.errors)
        figure("errors", `stores ${store} ${op} non-2xx+errors`, r.non2xx + r.errors, "responses");
    }
    for (const op of ["show", "list"]) {
      figure("stores", `${store} ${op} p50 at ${small} (sequential)`, s[store].small[op].p50, "µs");
      figure("stores", `${store} ${op} p50 at ${large} (sequential)`, s[store].large[op].p50, "µs");
    }
  }
  for (const store of ["pglite", "postgres"]) {
    for (const op of STORE_OPERATIONS) {
      // The target is PostgreSQL's, the engine replicas scale on; PGlite's figure stands beside it.
      const target = store === "postgres" && op === "createNotification" ? [">=", 0.5] : undefined;
      ratio(
        `${store}/memory ${short[op]}`,
        s[store].throughput[op].rps / s.memory.throughput[op].rps,
        target,
      );
    }
  }
  for (const store of STORES) {
    for (const op of ["show", "list"]) {
      ratio(
        `${store} ${op} p50 ${large}/${small}`,
        s[store].large[op].p50 / s[store].small[op].p50,
        ["<=", 1.5],
      );
    }
  }
}

/**
 * Writes: a create's p50 as its project fills up (10 vs `--write-notifications` notifications),
 * and with 50 creates sent at once to one project against one client's. Targets on PostgreSQL;
 * memory's and PGlite's figures beside it (memory's burst ratio is the floor this machine's two
 * cores set: the 50 queue for the server's one thread whatever the store).
 */
async function writes() {
  const notifications = Number(args["write-notifications"]);
  const samples = Math.max(20, Math.round(Number(args.samples) / 4));
  const rounds = Math.max(2, Math.round(samples / 25));
  const w = await benchWrites({ notifications, samples, rounds, log });
  for (const store of STORES) {
    const r = w[store];
    figure("writes", `${store} create p50, project with 10 notifications`, r.few, "ms");
    figure(
      "writes",
      `${store} create p50, project with ${notifications} notifications`,
      r.many,
      "ms",
    );
    figure("writes", `${store} create p50, one client`, r.one, "ms");
    figure("writes", `${store} create p50, ${BURST} at once in one project`, r.burst, "ms");
  }
  for (const store of STORES) {
    const target = (value) => (store === "postgres" ? ["<=", value] : undefined);
    ratio(
      `${store} create p50 ${notifications}/10 notifications`,
      w[store].many / w[store].few,
      target(1.5),
    );
    ratio(
      `${store} create p50 ${BURST} at once/one client`,
      w[store].burst / w[store].one,
      target(3),
    );
  }
}

/**
 * Key event notifications: creates whose every trace matches a notification, so each one queues
 * a signed SMN message, (a) with no sink for the topic (logged as no_sink) and (b) with the topic's
 * subscription on a receiver that never answers. The API must not wait for deliveries.
 */
async function notify() {
  const hanging = [];
  const receiver = createHttpServer((_req, res) => hanging.push(res));
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${receiver.address().port}/smn`;
  const results = {};
  try {
    for (const [key, sinks] of [
      ["none", undefined],
      ["hanging", { [EVENTS_TOPIC]: [{ protocol: "http", endpoint }] }],
    ]) {
      log(`events: createNotification, ${key} receiver`);
      const server = await targets.validated(writeEventsSeed({ name: key, sinks }));
      await idle(server.pid);
      try {
        await load(server.url, "createNotification", {
          connections,
          duration: Math.min(1, duration),
          events,
        });
        const r = await load(server.url, "createNotification", { connections, duration, events });
        results[key] = r;
        log(`  ${key}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
        figure("events", `createNotification, ${key} receiver`, r.rps, "req/s");
        figure("events", `createNotification p50, ${key} receiver`, r.p50, "ms");
        if (r.non2xx || r.errors)
          figure("errors", `events ${key} non-2xx+errors`, r.non2xx + r.errors, "responses");
      } finally {
        await server.stop();
      }
    }
  } finally {
    for (const res of hanging) res.destroy();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
  // autocannon reports whole milliseconds; at least 1 keeps the ratio defined.
  const p50 = (r) => Math.max(1, r.p50);
  ratio("create p50 hanging-receiver/none", p50(results.hanging) / p50(results.none), ["<=", 1.1]);
}

async function signer() {
  log("signer");
  const r = await benchSigner({ roundMs: Math.max(200, duration * 100), rounds: 5 });
  figure("signer", "ours", r.ours, "signatures/s");
  figure("signer", "official sdk-core", r.official, "signatures/s");
  ratio("signer/official", r.ours / r.official, [">=", 1]);
}

function build() {
  log("build: cold (turbo --force) and no-change rebuild");
  const b = benchBuild();
  figure("build", "cold npm run build", b.cold.seconds, "s");
  figure("build", `no-change rebuild (cached ${b.warm.cached})`, b.warm.seconds, "s");
  ratio("no-change rebuild s / 3", b.warm.seconds / 3, ["<=", 1]);
}

const sections = { startup, throughput, scale, stores, writes, events: notify, signer, build };
for (const [name, run] of Object.entries(sections)) if (!skip.has(name)) await run();

const fmt = (v) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
const meets = (v, t) =>
  !t
    ? ""
    : (t[0] === ">=" ? v >= t[1] : v <= t[1])
      ? `target ${t[0]} ${t[1]}: met`
      : `target ${t[0]} ${t[1]}: MISSED`;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
const setup = `duration ${duration}s, ${connections} connections, ${events} stored events for list`;

const width = Math.max(...rows.map((r) => r[1].length), ...ratios.map((r) => r[0].length)) + 2;
console.log(`machine: ${machine}\nsetup: ${setup}\n`);
for (const [section, name, value, unit] of rows)
  console.log(`${section.padEnd(11)}${name.padEnd(width)}${fmt(value).padStart(10)} ${unit}`);
console.log("");
for (const [name, value, target] of ratios)
  console.log(`ratio ${name}: ${fmt(value)}${target ? `   (${meets(value, target)})` : ""}`);
for (const [section, name, value, unit] of rows)
  console.log(`figure ${section} ${name}: ${fmt(value)} ${unit}`);

if (args.markdown) {
  const md = [
    `Machine: ${machine}  `,
    `Setup: ${setup}`,
    "",
    "| section | figure | value | unit |",
    "|---|---|---:|---|",
    ...rows.map(([s, n, v, u]) => `| ${s} | ${n} | ${fmt(v)} | ${u} |`),
    "",
    "| ratio | value | target |",
    "|---|---:|---|",
    ...ratios.map(([n, v, t]) => `| ${n} | ${fmt(v)} | ${t ? meets(v, t) : ""} |`),
    "",
  ].join("\n");
  writeFileSync(args.markdown, md);
  log(`markdown written to ${args.markdown}`);
}
