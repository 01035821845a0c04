import { defineConfig } from "vitest/config";

// The retry tests wait out real backoffs and Retry-After pauses: seconds on a busy two-core
// machine, beyond vitest's 5 s default. Timeouts, not timings, are what they assert.
// Worker threads, not forked processes: with forks vitest copies each transformed module into a
// temp dir of its own, which a Ctrl-C leaves behind. Threads hand modules over in memory.
export default defineConfig({ test: { testTimeout: 30_000, pool: "threads" } });
