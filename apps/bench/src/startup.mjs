// Start-up: the wall time from spawning a server to its first answered API request, as a user
// who starts a server per test file sees it. Ours (`cts-csms-server`, every validator compiled
// and self-checked before it listens) and Prism (`prism mock` on the CSMS spec), alternating,
// median of `runs`.
import { request } from "node:http";
import { prismCli, serverCli, spec, start } from "./processes.mjs";
import { PROJECT } from "./seed.mjs";

const LISTENING = /listening on (http:\/\/[^\s)]+)/;
const PRISM_LISTENING = /Prism is listening on (http:\/\/[^\s]+)/;

/** One GET over a fresh connection; resolves with the status once the whole answer is in. */
function get(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { "X-Auth-Token": "bench-token" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Seconds from spawn to the first answered request, and that answer's status. */
async function once(name, command, args, ready) {
  const t0 = performance.now();
  const server = await start(name, command, args, ready, { timeoutMs: 60_000 });
  try {
    const status = await get(`${server.url}/v1/${PROJECT}/csms/events`);
    return { seconds: (performance.now() - t0) / 1000, status };
  } finally {
    await server.stop();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export async function benchStartup({ runs, port }) {
  const ours = [];
  const prism = [];
  let failed = 0;
  for (let i = 0; i < runs; i++) {
    const a = await once(
      "cts-csms-server",
      process.execPath,
      [serverCli, "--port", "0", "--log-level", "warn"],
      LISTENING,
    );
    const b = await once(
      "prism csms",
      process.execPath,
      [prismCli, "mock", "-h", "127.0.0.1", "-p", String(await port()), spec("csms")],
      PRISM_LISTENING,
    );
    ours.push(a.seconds);
    prism.push(b.seconds);
    for (const { status } of [a, b]) if (status < 200 || status > 299) failed++;
  }
  return { ours: median(ours), prism: median(prism), failed };
}
