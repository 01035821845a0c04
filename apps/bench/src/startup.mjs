// Start-up: the wall time from spawning a server to its first answered API request, as a user
// who starts a server per test run sees it. Ours (`cts-csms-server`: validation proven in place
// by the boot check before it listens) and Prism (`prism mock` on the CSMS spec), alternating,
// median of `runs`, both on the given Node binary. Ours turns Node's compile cache on (22.1+);
// the first start fills it, as the first start on a user's machine does.
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

export async function benchStartup({ runs, port, node = process.execPath }) {
  const ours = [];
  const prism = [];
  let failed = 0;
  for (let i = 0; i < runs; i++) {
    const a = await once(
      "cts-csms-server",
      node,
      [serverCli, "--port", "0", "--log-level", "warn"],
      LISTENING,
    );
    const b = await once(
      "prism csms",
      node,
      [prismCli, "mock", "-h", "127.0.0.1", "-p", String(await port()), spec("csms")],
      PRISM_LISTENING,
    );
    ours.push(a.seconds);
    prism.push(b.seconds);
    for (const { status } of [a, b]) if (status < 200 || status > 299) failed++;
  }
  return { ours: median(ours), prism: median(prism), failed };
}
