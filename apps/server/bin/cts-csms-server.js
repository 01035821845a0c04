#!/usr/bin/env node
// The `cts-csms-server` binary. It is tracked (dist/ is a build output) so that npm can link the
// binary when a fresh clone is installed, before anything is built; it runs the built CLI.
import module from "node:module";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

// Node 22.1+ keeps V8's compiled code of the server's modules between runs: a faster start.
module.enableCompileCache?.();

// Memory with large stores: under a steady allocation rate V8 lets the heap grow to several times
// the live data. With 100k notifications + 100k events stored that is ~630 MB resident, against
// ~270 MB with a 20 % growth step (`npm run bench`, scale). The small step makes garbage
// collection frequent, though, which costs a small store ~25 % CPU per request; so it is set only
// once the live data is large: when the heap in use has not dropped below 96 MB for 3 s (garbage
// comes and goes, live data stays; a small store under load swings between ~40 and ~140 MB).
// V8 reads the flag at every collection, so it acts from the next one.
// Then the store's objects, created between short-lived request garbage, end up spread over pages
// V8 keeps but fills only half: after the bench's 100k + 100k creates, old space is 239 MB for
// 145 MB in use, RSS 357 MB. Compacting at every full collection brings RSS to 246 MB but cost
// those creates 27 % more server CPU. So compaction is on only while old space has more free than
// the 20 % growth step explains (a quarter of what is in use, at least 32 MB), checked every 5 s:
// RSS 297 MB at the same CPU (146 s against 146 s; an eighth instead of a quarter: 285 MB, +19 %).
// Skipped when the operator tunes the heap.
const tuned = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) =>
  /heap-growing-percent|max-old-space-size|optimize-for-size|compact-on-every-full-gc/.test(a),
);
if (!tuned) {
  const LARGE_HEAP_BYTES = 96 * 2 ** 20;
  const SAMPLES = 12;
  let above = 0;
  const watch = setInterval(() => {
    above = process.memoryUsage().heapUsed < LARGE_HEAP_BYTES ? 0 : above + 1;
    if (above < SAMPLES) return;
    setFlagsFromString("--heap-growing-percent=20");
    clearInterval(watch);
    let compacting = false;
    const compaction = setInterval(() => {
      const old = getHeapSpaceStatistics().find((s) => s.space_name === "old_space");
      if (!old) return;
      const free = old.space_size - old.space_used_size;
      const fragmented = free > Math.max(32 * 2 ** 20, old.space_used_size / 4);
      if (fragmented === compacting) return;
      compacting = fragmented;
      setFlagsFromString(
        compacting ? "--compact-on-every-full-gc" : "--no-compact-on-every-full-gc",
      );
    }, 5000);
    compaction.unref();
  }, 250);
  watch.unref();
}

try {
  await import("../dist/cli.js");
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/cli.js")) {
    process.stderr.write("cts-csms-server is not built yet: run `npm run build` first\n");
    process.exit(1);
  }
  throw err;
}
