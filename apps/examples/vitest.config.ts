import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// Removes vitest's own temp dir also when the run is interrupted (vitest skips it on Ctrl-C).
const vitestTempDir = createRequire(import.meta.url).resolve(
  "@cts-csms/server/testing/vitest-temp-dir",
);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: [vitestTempDir],
    // npm pack, an offline npm ci and two tsc runs: minutes, not seconds, on a busy two-core box.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // One file at a time: each starts servers or runs npm and tsc, next to every other
    // workspace's tests that turbo runs at the same time.
    maxWorkers: 1,
  },
});
