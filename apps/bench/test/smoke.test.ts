// Keeps the benchmark harness from rotting: runs it end to end with tiny sizes and a 1 s load,
// and checks it reports every figure. Timing values are not asserted (benchmarks never fail CI).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const major = process.versions.node.split(".")[0];

it("runs every section and prints ratio and figure lines", async () => {
  const { stdout } = await run(
    process.execPath,
    [
      new URL("../src/run.mjs", import.meta.url).pathname,
      "--duration",
      "1",
      "--connections",
      "4",
      "--events",
      "200",
      "--scale-large",
      "2000",
      "--scale-small",
      "200",
      "--samples",
      "50",
      "--startup-runs",
      "1",
      "--write-notifications",
      "200",
      // This runtime only: the test must not fetch other Node builds (CI runs it on each).
      "--runtimes",
      "current",
      "--skip",
      "build",
      // No waiting for servers to settle: under `npm test` that wait was most of the run.
      "--quick",
    ],
    // Generous: under `npm test` it shares two cores with every other workspace's tests, and the
    // stores section starts PostgreSQL and creates a PGlite data dir (it took 346 s in all once).
    { maxBuffer: 10 * 2 ** 20, timeout: 720_000 },
  );
  for (const name of [
    "validated/bare create",
    "validated/bare show",
    "validated/bare list",
    "validated/prism create",
    "validated/prism list",
    "signer/official",
    "show p50 2000/200",
    "rss MB / 300",
    `startup Node ${major} s / 0.5`,
    `startup prism/ours Node ${major}`,
    "per-file reset ms / 10",
    "seed load s / 10",
    "seed peak rss MB / 600",
    "create p50 hanging-receiver/none",
    "pglite/memory create",
    "pglite/memory show",
    "postgres/memory list",
    "memory list p50 2000/200",
    "pglite show p50 2000/200",
    "postgres list p50 2000/200",
    "postgres/memory create",
    "postgres create p50 200/10 notifications",
    "postgres create p50 50 at once/one client",
    "pglite create p50 200/10 notifications",
    "memory create p50 50 at once/one client",
  ]) {
    expect(stdout).toMatch(new RegExp(`^ratio ${name}: \\d+(\\.\\d+)?`, "m"));
  }
  expect(stdout).toMatch(/^figure throughput prism showSecretEvent: \d+/m);
  expect(stdout).toMatch(/^figure scale rss with 2000 notifications \+ 2000 events: \d+/m);
  expect(stdout).toMatch(
    new RegExp(`^figure startup spawn to first answered request, prism, Node ${major}: \\d+`, "m"),
  );
  expect(stdout).toMatch(/^figure stores postgres showSecretEvent with 200 events: \d+/m);
  expect(stdout).toMatch(/^figure writes postgres create p50, 50 at once in one project: \d+/m);
  // Every server answered the benchmarked requests successfully.
  expect(stdout).not.toMatch(/^figure errors /m);
}, 740_000);
