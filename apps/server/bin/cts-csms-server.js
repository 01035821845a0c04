#!/usr/bin/env node
// The `cts-csms-server` binary. It is tracked (dist/ is a build output) so that npm can link the
// binary when a fresh clone is installed, before anything is built; it runs the built CLI.
import module from "node:module";
import { setFlagsFromString } from "node:v8";

// Node 22.1+ keeps V8's compiled code of the server's modules between runs: a faster start.
module.enableCompileCache?.();

// Memory with large stores: under a steady allocation rate V8 lets the heap grow to several times
// the live data. With 100k notifications + 100k events stored that is ~630 MB resident, against
// ~270 MB with a 20 % growth step (`npm run bench`, scale). Set here, before the server's modules
// load; V8 reads the flag at every garbage collection, and setting it here gives the same
// resident size as `node --heap-growing-percent=20` (measured). The smaller step costs CPU in
// collections (BENCHMARKS.md). Skipped when the operator tunes the heap.
const tuned = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) =>
  /heap-growing-percent|max-old-space-size|optimize-for-size/.test(a),
);
if (!tuned) setFlagsFromString("--heap-growing-percent=20");

try {
  await import("../dist/cli.js");
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/cli.js")) {
    process.stderr.write("cts-csms-server is not built yet: run `npm run build` first\n");
    process.exit(1);
  }
  throw err;
}
